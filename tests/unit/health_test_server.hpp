// A scriptable loopback HTTP/HTTPS server for probe tests: each connection reads one request
// head, then follows the script (answer, stall, never answer). Runs on its own thread.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace r53::health::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Script {
    std::string response;       // raw bytes written after the request head
    bool read_request = true;   // false: write at once without reading
    bool stall = false;         // keep the connection open after writing, never finish
    bool never_answer = false;  // read the request, then stay silent
};

struct TlsSettings {
    std::string cert_file;
    std::string key_file;
    int max_version = 0;                      // e.g. TLS1_VERSION; 0 = library default
    std::optional<std::string> required_sni;  // handshake_failure for any other SNI name
};

// A self-signed certificate made once per process with the openssl CLI.
struct TestCert {
    std::string dir, cert, key;
    ~TestCert() {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }
    static const TestCert& get(const std::string& name = "test") {
        static std::mutex mutex;
        static std::vector<std::unique_ptr<TestCert>> made;
        std::lock_guard lock(mutex);
        for (auto& c : made) {
            if (c->dir.ends_with(name)) return *c;
        }
        auto c = std::make_unique<TestCert>();
        auto base = std::filesystem::temp_directory_path() /
                    ("r53-health-" + std::to_string(::getpid()) + "-" + name);
        std::filesystem::create_directories(base);
        c->dir = base.string();
        c->cert = (base / "cert.pem").string();
        c->key = (base / "key.pem").string();
        std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=" + name +
                          " -days 1 -keyout " + c->key + " -out " + c->cert + " 2>/dev/null";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed");
        made.push_back(std::move(c));
        return *made.back();
    }
};

class TestServer {
  public:
    explicit TestServer(Script script, std::optional<TlsSettings> tls = std::nullopt)
        : script_(std::move(script)),
          acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        if (tls) {
            tls_.emplace(asio::ssl::context::tls_server);
            tls_->use_certificate_chain_file(tls->cert_file);
            tls_->use_private_key_file(tls->key_file, asio::ssl::context::pem);
            SSL_CTX_set_security_level(tls_->native_handle(), 0);
            SSL_CTX_set_min_proto_version(tls_->native_handle(), TLS1_VERSION);
            if (tls->max_version) {
                SSL_CTX_set_max_proto_version(tls_->native_handle(), tls->max_version);
            }
            SSL_CTX_set_cipher_list(tls_->native_handle(), "DEFAULT:@SECLEVEL=0");
            if (tls->required_sni) {
                required_sni_ = *tls->required_sni;
                SSL_CTX_set_tlsext_servername_callback(tls_->native_handle(), &TestServer::on_sni);
                SSL_CTX_set_tlsext_servername_arg(tls_->native_handle(), this);
            }
        }
        asio::co_spawn(io_, accept_loop(), asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~TestServer() {
        io_.stop();
        thread_.join();
    }

    uint16_t port() const { return port_; }
    std::vector<std::string> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }
    std::vector<std::string> sni_names() const {  // "" = no SNI sent
        std::lock_guard lock(mutex_);
        return sni_names_;
    }
    int connections() const {
        std::lock_guard lock(mutex_);
        return connections_;
    }
    // Connections the client closed while the server waited in never_answer mode.
    int closed_by_client() const {
        std::lock_guard lock(mutex_);
        return closed_by_client_;
    }
    void set_script(Script script) {
        std::lock_guard lock(mutex_);
        script_ = std::move(script);
    }

    // A port with no listener: bound, then released.
    static uint16_t refused_port() {
        asio::io_context io;
        tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        uint16_t p = a.local_endpoint().port();
        a.close();
        return p;
    }

  private:
    static int on_sni(SSL* ssl, int*, void* arg) {
        auto* self = static_cast<TestServer*>(arg);
        const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        {
            std::lock_guard lock(self->mutex_);
            self->sni_names_.push_back(name ? name : "");
        }
        if (name && self->required_sni_ != name) return SSL_TLSEXT_ERR_ALERT_FATAL;
        return SSL_TLSEXT_ERR_OK;
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] =
                co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            {
                std::lock_guard lock(mutex_);
                ++connections_;
            }
            asio::co_spawn(io_, session(std::move(socket)), asio::detached);
        }
    }

    template <class Stream>
    asio::awaitable<void> converse(Stream& stream) {
        using asio::as_tuple;
        using asio::use_awaitable;
        Script script;
        {
            std::lock_guard lock(mutex_);
            script = script_;
        }
        if (script.read_request) {
            std::string head;
            auto [ec, n] = co_await asio::async_read_until(stream, asio::dynamic_buffer(head),
                                                           "\r\n\r\n", as_tuple(use_awaitable));
            if (ec) co_return;
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(head.substr(0, n));
            }
        }
        asio::steady_timer forever(io_, asio::steady_timer::time_point::max());
        if (script.never_answer) {
            char sink[512];
            for (;;) {
                auto [ec, n] =
                    co_await stream.async_read_some(asio::buffer(sink), as_tuple(use_awaitable));
                if (ec) break;
            }
            std::lock_guard lock(mutex_);
            ++closed_by_client_;
            co_return;
        }
        co_await asio::async_write(stream, asio::buffer(script.response), as_tuple(use_awaitable));
        if (script.stall) co_await forever.async_wait(as_tuple(use_awaitable));
    }

    asio::awaitable<void> session(tcp::socket socket) {
        if (!tls_) {
            co_await converse(socket);
            co_return;
        }
        asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls_);
        auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server,
                                                    asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        co_await converse(stream);
    }

    Script script_;
    asio::io_context io_;
    tcp::acceptor acceptor_;
    uint16_t port_ = acceptor_.local_endpoint().port();
    std::optional<asio::ssl::context> tls_;
    std::string required_sni_;
    mutable std::mutex mutex_;
    std::vector<std::string> requests_;
    std::vector<std::string> sni_names_;
    int connections_ = 0;
    int closed_by_client_ = 0;
    std::thread thread_;
};

inline std::string http_response(int code, const std::string& reason, const std::string& body = "",
                                 const std::string& extra_headers = "") {
    return "HTTP/1.1 " + std::to_string(code) + " " + reason +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers +
           "Connection: close\r\n\r\n" + body;
}

}  // namespace r53::health::testing
