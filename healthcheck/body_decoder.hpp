// Decodes a response body incrementally (identity, gzip, deflate) and keeps only the first
// `limit` decoded bytes: the part a string-match check searches (semantics §1.1).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace r53::health {

class BodyDecoder {
  public:
    enum class Encoding { Identity, Gzip, Deflate, Unsupported };
    static Encoding encoding_of(std::string_view content_encoding);

    BodyDecoder(Encoding encoding, size_t limit);
    ~BodyDecoder();
    BodyDecoder(const BodyDecoder&) = delete;
    BodyDecoder& operator=(const BodyDecoder&) = delete;

    // Feeds raw body bytes; false on a decoding error.
    bool feed(std::string_view raw);
    bool full() const { return decoded_.size() >= limit_; }
    const std::string& decoded() const { return decoded_; }

  private:
    struct Inflater;
    Encoding encoding_;
    size_t limit_;
    std::string decoded_;
    std::unique_ptr<Inflater> inflater_;
};

// SearchString wholly inside the first `limit` bytes, case-sensitive.
bool body_contains(const std::string& decoded, const std::string& needle, size_t limit);

}  // namespace r53::health
