// classify_http_response: the probe's response judgement on bytes (semantics §1.1).
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "healthcheck/http_response.hpp"

namespace r53::health {
namespace {

HttpResponseOptions matching(const std::string& needle) {
    HttpResponseOptions options;
    options.search_string = needle;
    return options;
}

std::string gzip(const std::string& text) {
    z_stream z{};
    deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(text.size() + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

TEST(HttpResponse, StatusTwoAndThreeHundredsPass) {  // §1.1
    auto ok = classify_http_response("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", {});
    EXPECT_TRUE(ok.ok);
    EXPECT_EQ(ok.status, "Success: HTTP Status Code 200, OK. Resolved IP: 127.0.0.1");
    EXPECT_TRUE(classify_http_response("HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n", {}).ok);
    auto down = classify_http_response("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n", {});
    EXPECT_FALSE(down.ok);
    EXPECT_EQ(down.status, "Failure: HTTP Status Code 503, Busy. Resolved IP: 127.0.0.1");
}

TEST(HttpResponse, HeadersPastTheLimitFail) {
    std::string response = "HTTP/1.1 200 OK\r\nX-Pad: " + std::string(kResponseHeaderLimit, 'p');
    auto outcome = classify_http_response(response + "\r\n\r\n", {});
    EXPECT_FALSE(outcome.ok);
    EXPECT_NE(outcome.status.find("headers exceeded 16384"), std::string::npos) << outcome.status;
}

TEST(HttpResponse, IncompleteOrInvalidResponsesFail) {
    EXPECT_NE(classify_http_response("HTTP/1.1 200 OK\r\nContent-Le", {})
                  .status.find("before sending a complete response"),
              std::string::npos);
    EXPECT_NE(classify_http_response("", {}).status.find("before sending a complete response"),
              std::string::npos);
    auto bad = classify_http_response("HTTP/1.1 TWO OK\r\n\r\n", {});
    EXPECT_FALSE(bad.ok);
    EXPECT_NE(bad.status.find("Invalid HTTP response"), std::string::npos) << bad.status;
}

TEST(HttpResponse, SearchStringInTheFirst5120DecodedBytes) {  // §1.1
    const std::string head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
    EXPECT_TRUE(classify_http_response(head + "all is healthy", matching("healthy")).ok);
    EXPECT_FALSE(
        classify_http_response(head + std::string(5120, 'x') + "healthy", matching("healthy")).ok);
    const std::string body = gzip(std::string(3000, 'y') + "healthy");
    const std::string gzipped = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
    EXPECT_TRUE(classify_http_response(gzipped, matching("healthy")).ok);
}

TEST(HttpResponse, ChunkedBodiesAndTruncatedBodies) {
    const std::string chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nheal\r\n3\r\nthy\r\n0\r\n\r\n";
    EXPECT_TRUE(classify_http_response(chunked, matching("healthy")).ok);
    auto cut = classify_http_response("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc",
                                      matching("healthy"));
    EXPECT_FALSE(cut.ok);
    EXPECT_NE(cut.status.find("complete body"), std::string::npos) << cut.status;
    // A huge announced chunk is read only as far as the search window.
    auto huge = classify_http_response(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffff\r\n" +
            std::string(6000, 'z'),
        matching("healthy"));
    EXPECT_FALSE(huge.ok);
    EXPECT_NE(huge.status.find("not found in the first 5120"), std::string::npos) << huge.status;
}

}  // namespace
}  // namespace r53::health
