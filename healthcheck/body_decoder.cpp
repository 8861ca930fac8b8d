#include "healthcheck/body_decoder.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>

namespace r53::health {

struct BodyDecoder::Inflater {
    z_stream stream{};
    bool ready = false;
    bool raw_retry_allowed = false;  // "deflate" is sometimes sent without the zlib header
    bool ended = false;
    std::string consumed;  // input kept until the header is known to be right

    bool init(int window_bits) {
        if (ready) inflateEnd(&stream);
        stream = z_stream{};
        ready = inflateInit2(&stream, window_bits) == Z_OK;
        return ready;
    }
    ~Inflater() {
        if (ready) inflateEnd(&stream);
    }
};

BodyDecoder::Encoding BodyDecoder::encoding_of(std::string_view content_encoding) {
    std::string e(content_encoding);
    std::transform(e.begin(), e.end(), e.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    e.erase(std::remove_if(e.begin(), e.end(), [](unsigned char c) { return std::isspace(c); }),
            e.end());
    if (e.empty() || e == "identity") return Encoding::Identity;
    if (e == "gzip" || e == "x-gzip") return Encoding::Gzip;
    if (e == "deflate") return Encoding::Deflate;
    return Encoding::Unsupported;
}

BodyDecoder::BodyDecoder(Encoding encoding, size_t limit) : encoding_(encoding), limit_(limit) {
    if (encoding_ == Encoding::Gzip || encoding_ == Encoding::Deflate) {
        inflater_ = std::make_unique<Inflater>();
        // 15 + 32: zlib or gzip header, detected automatically.
        inflater_->init(15 + 32);
        inflater_->raw_retry_allowed = encoding_ == Encoding::Deflate;
    }
}

BodyDecoder::~BodyDecoder() = default;

bool BodyDecoder::feed(std::string_view raw) {
    if (full()) return true;
    switch (encoding_) {
        case Encoding::Unsupported:
            return false;
        case Encoding::Identity:
            decoded_.append(raw.substr(0, limit_ - decoded_.size()));
            return true;
        case Encoding::Gzip:
        case Encoding::Deflate:
            break;
    }
    auto& inf = *inflater_;
    if (!inf.ready) return false;
    if (inf.ended) return true;
    if (inf.raw_retry_allowed) inf.consumed.append(raw);
    auto* next = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
    inf.stream.next_in = next;
    inf.stream.avail_in = static_cast<uInt>(raw.size());
    char out[8192];
    while (inf.stream.avail_in > 0 && !full()) {
        inf.stream.next_out = reinterpret_cast<Bytef*>(out);
        inf.stream.avail_out = sizeof out;
        int rc = inflate(&inf.stream, Z_NO_FLUSH);
        size_t produced = sizeof out - inf.stream.avail_out;
        if (produced > 0) inf.raw_retry_allowed = false;
        decoded_.append(out, std::min(produced, limit_ - decoded_.size()));
        if (rc == Z_STREAM_END) {
            inf.ended = true;
            break;
        }
        if (rc == Z_DATA_ERROR && inf.raw_retry_allowed) {
            // Headerless deflate: restart as raw deflate over everything seen so far.
            inf.raw_retry_allowed = false;
            std::string again = std::move(inf.consumed);
            if (!inf.init(-15)) return false;
            return feed(again);
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
        if (rc == Z_BUF_ERROR && produced == 0) break;
    }
    return true;
}

bool body_contains(const std::string& decoded, const std::string& needle, size_t limit) {
    std::string_view window(decoded.data(), std::min(decoded.size(), limit));
    return window.find(needle) != std::string_view::npos;
}

}  // namespace r53::health
