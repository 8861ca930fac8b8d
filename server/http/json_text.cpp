#include "server/http/json_text.hpp"

#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace r53::server {
namespace {

namespace json = boost::json;

// Below 1e21 every integral double prints as digits (ECMAScript's threshold for exponent form).
constexpr double kPlainUpper = 1e21;
constexpr double kPlainLower = 1e-6;

template <class Number>
void append_integer(std::string& out, Number n) {
    std::array<char, 24> buffer;
    auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), n);
    out.append(buffer.data(), end);
}

// "1e-07" / "1e+21" from std::to_chars become "1e-7" / "1e+21": no leading zeros in the
// exponent, as ECMAScript writes it (both are valid JSON; this one is what people expect).
void append_scientific(std::string& out, double value) {
    std::array<char, 40> buffer;
    auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                   std::chars_format::scientific);
    std::string_view text(buffer.data(), end - buffer.data());
    const auto e = text.find('e');
    out.append(text.substr(0, e));
    if (e == std::string_view::npos) return;
    out += 'e';
    size_t i = e + 1;
    out += text[i] == '-' ? '-' : '+';
    if (text[i] == '-' || text[i] == '+') ++i;
    while (i + 1 < text.size() && text[i] == '0') ++i;
    out.append(text.substr(i));
}

void append_double(std::string& out, double value) {
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    const double magnitude = std::fabs(value);
    if (magnitude == 0) {
        out += '0';  // and -0.0: a person never means a negative zero here
        return;
    }
    if (magnitude < kPlainUpper && (value == std::trunc(value) || magnitude >= kPlainLower)) {
        // Fixed notation with the shortest digits that round-trip (no precision argument).
        std::array<char, 48> buffer;
        auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                       std::chars_format::fixed);
        out.append(buffer.data(), end);
        return;
    }
    append_scientific(out, value);
}

// The length of the valid UTF-8 sequence starting at text[i], or 0 if it is not one.
size_t utf8_length(std::string_view text, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    size_t length;
    uint32_t code;
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        code = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        code = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        code = lead & 0x07;
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    for (size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        code = (code << 6) | (byte(i + k) & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if ((length == 3 && code < 0x800) || (length == 4 && code < 0x10000) || code > 0x10FFFF ||
        (code >= 0xD800 && code <= 0xDFFF))
        return 0;
    return length;
}

void append_string(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 0xF];
                } else if (c >= 0x80) {
                    const size_t length = utf8_length(text, i);
                    if (length == 0) {
                        out += "\\ufffd";
                        ++i;
                    } else {
                        out.append(text.substr(i, length));
                        i += length;
                    }
                    continue;
                } else {
                    out += static_cast<char>(c);
                }
        }
        ++i;
    }
    out += '"';
}

}  // namespace

void append_json_text(std::string& out, const json::value& value) {
    switch (value.kind()) {
        case json::kind::null:
            out += "null";
            return;
        case json::kind::bool_:
            out += value.get_bool() ? "true" : "false";
            return;
        case json::kind::int64:
            append_integer(out, value.get_int64());
            return;
        case json::kind::uint64:
            append_integer(out, value.get_uint64());
            return;
        case json::kind::double_:
            append_double(out, value.get_double());
            return;
        case json::kind::string:
            append_string(out, value.get_string());
            return;
        case json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& element : value.get_array()) {
                if (!first) out += ',';
                first = false;
                append_json_text(out, element);
            }
            out += ']';
            return;
        }
        case json::kind::object: {
            out += '{';
            bool first = true;
            for (const auto& member : value.get_object()) {
                if (!first) out += ',';
                first = false;
                append_string(out, member.key());
                out += ':';
                append_json_text(out, member.value());
            }
            out += '}';
            return;
        }
    }
}

std::string to_json_text(const json::value& value) {
    std::string out;
    append_json_text(out, value);
    return out;
}

std::string json_number_text(double value) {
    std::string out;
    append_double(out, value);
    return out;
}

}  // namespace r53::server
