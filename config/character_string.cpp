#include "config/character_string.hpp"

#include <cctype>
#include <charconv>

namespace r53::config {
namespace {

constexpr size_t kMaxCharacterString = 255;  // RFC 1035 §3.3: one length octet
constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxName = 255;

enum class Kind { None, Txt, Caa, Naptr };

Kind kind_of(std::string_view type) noexcept {
    if (type == "TXT" || type == "SPF") return Kind::Txt;
    if (type == "CAA") return Kind::Caa;
    if (type == "NAPTR") return Kind::Naptr;
    return Kind::None;
}

// Only a space separates: raw control characters (TAB included) are refused before reading.
bool is_blank(char c) noexcept {
    return c == ' ';
}

bool is_octal(char c) noexcept {
    return c >= '0' && c <= '7';
}

TextProblem too_long() {
    return {"CharacterStringTooLong", "Value is too long"};
}

TextProblem unbalanced() {
    return {"UnbalancedQuotes", "Value has unbalanced quotes"};
}

TextProblem unquoted() {
    return {"InvalidCharacterString", "Value should be enclosed in quotation marks"};
}

TextProblem unsupported() {
    return {"UnsupportedCharacter", "Value contains unsupported characters"};
}

TextProblem bad_escape() {
    return {"InvalidEscapeSequence",
            "Value has a backslash and digit that are not a three-digit octal escape 000-377"};
}

TextProblem illegal(std::string_view type, const std::string& why) {
    return {std::string(type) + "RRDATAIllegal",
            "Value is not a valid " + std::string(type) + " record: " + why};
}

void append_octal(std::string& out, uint8_t byte) {
    out += '\\';
    out += static_cast<char>('0' + (byte >> 6));
    out += static_cast<char>('0' + ((byte >> 3) & 7));
    out += static_cast<char>('0' + (byte & 7));
}

// At a backslash in `text`: consumes the escape and yields its byte. `\ooo` is one byte given in
// octal; a backslash before any other non-digit stands for that character.
bool decode_escape(std::string_view text, size_t& at, uint8_t& byte) noexcept {
    if (at + 1 >= text.size()) return false;
    const char next = text[at + 1];
    if (next < '0' || next > '9') {
        byte = static_cast<uint8_t>(next);
        at += 2;
        return true;
    }
    if (at + 3 >= text.size() || next > '3' || !is_octal(next) || !is_octal(text[at + 2]) ||
        !is_octal(text[at + 3]))
        return false;
    byte =
        static_cast<uint8_t>((next - '0') << 6 | (text[at + 2] - '0') << 3 | (text[at + 3] - '0'));
    at += 4;
    return true;
}

// Reads Route 53 text left to right.
class TextReader {
  public:
    explicit TextReader(std::string_view text) : text_(text) {}

    void skip_blanks() noexcept {
        while (at_ < text_.size() && is_blank(text_[at_])) ++at_;
    }
    bool at_end() const noexcept { return at_ >= text_.size(); }

    // One character-string, quoted or (unless `quotes_required`) a run up to the next blank or
    // quote.
    std::optional<TextProblem> read_string(std::vector<uint8_t>& out, size_t max_length,
                                           bool quotes_required = false) {
        const bool quoted = text_[at_] == '"';
        if (quoted)
            ++at_;
        else if (quotes_required)
            return unquoted();
        size_t length = 0;
        while (true) {
            if (at_ >= text_.size()) {
                if (quoted) return unbalanced();
                break;
            }
            const char c = text_[at_];
            if (quoted && c == '"') {
                ++at_;
                break;
            }
            if (!quoted && (is_blank(c) || c == '"')) break;
            uint8_t byte = static_cast<uint8_t>(c);
            if (c == '\\') {
                if (!decode_escape(text_, at_, byte)) return bad_escape();
            } else {
                ++at_;
            }
            if (++length > max_length) return too_long();
            out.push_back(byte);
        }
        return std::nullopt;
    }

    // The text up to the next blank, unescaped (numbers, the CAA tag, a domain name).
    std::string_view read_word() noexcept {
        const size_t start = at_;
        while (at_ < text_.size() && !is_blank(text_[at_])) ++at_;
        return text_.substr(start, at_ - start);
    }

  private:
    std::string_view text_;
    size_t at_ = 0;
};

std::optional<uint32_t> parse_number(std::string_view word, uint32_t max) noexcept {
    uint32_t value = 0;
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (word.empty() || ec != std::errc{} || end != word.data() + word.size() || value > max)
        return std::nullopt;
    return value;
}

void append_u16(std::vector<uint8_t>& out, uint32_t value) {
    out.push_back(static_cast<uint8_t>(value >> 8));
    out.push_back(static_cast<uint8_t>(value));
}

// A domain name in Route 53's format (DomainNameFormat: octal escapes too), absolute whether or
// not it ends in a dot. Case is kept.
std::optional<std::string> name_to_wire(std::string_view text, std::vector<uint8_t>& out) {
    if (text.empty()) return std::string("a domain name is missing");
    if (text == ".") {
        out.push_back(0);
        return std::nullopt;
    }
    std::vector<uint8_t> name;
    std::vector<uint8_t> label;
    auto end_label = [&]() -> std::optional<std::string> {
        if (label.empty()) return std::string("the domain name has an empty label");
        if (label.size() > kMaxLabel) return std::string("a label is longer than 63 bytes");
        name.push_back(static_cast<uint8_t>(label.size()));
        name.insert(name.end(), label.begin(), label.end());
        label.clear();
        return std::nullopt;
    };
    for (size_t at = 0; at < text.size();) {
        const char c = text[at];
        if (c == '.') {
            if (auto problem = end_label()) return problem;
            ++at;
            continue;
        }
        if (c != '\\') {
            label.push_back(static_cast<uint8_t>(c));
            ++at;
            continue;
        }
        uint8_t byte = 0;
        if (!decode_escape(text, at, byte))
            return std::string("the domain name has an invalid escape");
        label.push_back(byte);
    }
    if (!label.empty())
        if (auto problem = end_label()) return problem;
    name.push_back(0);
    if (name.size() > kMaxName) return std::string("the domain name is longer than 255 bytes");
    out.insert(out.end(), name.begin(), name.end());
    return std::nullopt;
}

std::optional<std::string> name_to_text(std::span<const uint8_t> wire, size_t& at) {
    if (at < wire.size() && wire[at] == 0) {
        ++at;
        return std::string(".");
    }
    std::string out;
    size_t length = 0;
    while (true) {
        if (at >= wire.size()) return std::nullopt;
        const uint8_t label = wire[at];
        length += 1u + label;
        if (label > kMaxLabel || length > kMaxName || at + 1 + label > wire.size())
            return std::nullopt;
        if (label == 0) {
            ++at;
            return out;
        }
        for (size_t i = 0; i < label; ++i) {
            const uint8_t b = wire[at + 1 + i];
            if (b == '.' || b <= 0x20 || b >= 0x7F)
                append_octal(out, b);
            else if (b == '\\')
                out += "\\\\";
            else
                out += static_cast<char>(b);
        }
        out += '.';
        at += 1u + label;
    }
}

std::optional<std::string> string_at(std::span<const uint8_t> wire, size_t& at) {
    if (at >= wire.size() || at + 1 + wire[at] > wire.size()) return std::nullopt;
    std::string out = quote_character_string(wire.subspan(at + 1, wire[at]));
    at += 1u + wire[at];
    return out;
}

std::optional<TextProblem> caa_to_wire(std::string_view value, std::vector<uint8_t>& out) {
    TextReader reader(value);
    reader.skip_blanks();
    auto flags = parse_number(reader.read_word(), 255);
    if (!flags) return illegal("CAA", "the flags must be a number 0-255");
    reader.skip_blanks();
    std::string_view tag = reader.read_word();
    if (tag.empty() || tag.size() > kMaxCharacterString)
        return illegal("CAA", "the tag is missing");
    for (char c : tag)
        if (!std::isalnum(static_cast<unsigned char>(c)))
            return illegal("CAA", "the tag must be letters and digits");
    reader.skip_blanks();
    if (reader.at_end()) return illegal("CAA", "the value is missing");
    out.push_back(static_cast<uint8_t>(*flags));
    out.push_back(static_cast<uint8_t>(tag.size()));
    out.insert(out.end(), tag.begin(), tag.end());
    // RFC 8659 §4.1.1: the value is the rest of the RDATA, not limited to 255 bytes.
    if (auto problem = reader.read_string(out, 0xFFFF)) return problem;
    reader.skip_blanks();
    if (!reader.at_end()) return illegal("CAA", "text follows the value");
    return std::nullopt;
}

std::optional<TextProblem> naptr_to_wire(std::string_view value, std::vector<uint8_t>& out) {
    TextReader reader(value);
    reader.skip_blanks();
    auto order = parse_number(reader.read_word(), 0xFFFF);
    reader.skip_blanks();
    auto preference = parse_number(reader.read_word(), 0xFFFF);
    if (!order || !preference)
        return illegal("NAPTR", "order and preference must be numbers 0-65535");
    append_u16(out, *order);
    append_u16(out, *preference);
    for (const char* field : {"flags", "service", "regexp"}) {
        reader.skip_blanks();
        if (reader.at_end()) return illegal("NAPTR", std::string("the ") + field + " is missing");
        const size_t length_at = out.size();
        out.push_back(0);
        if (auto problem = reader.read_string(out, kMaxCharacterString)) return problem;
        out[length_at] = static_cast<uint8_t>(out.size() - length_at - 1);
    }
    reader.skip_blanks();
    std::string_view replacement = reader.read_word();
    reader.skip_blanks();
    if (!reader.at_end()) return illegal("NAPTR", "text follows the replacement");
    if (auto problem = name_to_wire(replacement, out)) return illegal("NAPTR", *problem);
    return std::nullopt;
}

}  // namespace

bool uses_character_strings(std::string_view type) noexcept {
    return kind_of(type) != Kind::None;
}

std::string quote_character_string(std::span<const uint8_t> bytes) {
    std::string out = "\"";
    for (uint8_t b : bytes) {
        if (b == '"' || b == '\\') {
            out += '\\';
            out += static_cast<char>(b);
        } else if (b >= 0x20 && b < 0x7F) {
            out += static_cast<char>(b);
        } else {
            append_octal(out, b);
        }
    }
    return out + '"';
}

std::optional<TextProblem> character_strings_to_wire(std::string_view text,
                                                     std::vector<uint8_t>& wire) {
    TextReader reader(text);
    std::vector<uint8_t> out;
    while (true) {
        reader.skip_blanks();
        if (reader.at_end()) break;
        const size_t length_at = out.size();
        out.push_back(0);
        if (auto problem = reader.read_string(out, kMaxCharacterString, true)) return problem;
        out[length_at] = static_cast<uint8_t>(out.size() - length_at - 1);
    }
    wire.insert(wire.end(), out.begin(), out.end());
    return std::nullopt;
}

std::optional<std::string> character_strings_to_text(std::span<const uint8_t> wire) {
    std::string out;
    for (size_t at = 0; at < wire.size();) {
        auto one = string_at(wire, at);
        if (!one) return std::nullopt;
        if (!out.empty()) out += ' ';
        out += *one;
    }
    return out;
}

std::optional<TextProblem> to_rdata(std::string_view type, std::string_view value,
                                    std::vector<uint8_t>& rdata) {
    const Kind kind = kind_of(type);
    if (kind == Kind::None) return illegal(type, "not a character-string type");
    // Control characters are written as escapes (\011 for a TAB), never raw.
    for (char c : value)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return unsupported();
    std::vector<uint8_t> out;
    std::optional<TextProblem> problem;
    if (kind == Kind::Txt) {
        problem = character_strings_to_wire(value, out);
        if (!problem && out.empty()) problem = illegal(type, "the value has no character-string");
    } else if (kind == Kind::Caa) {
        problem = caa_to_wire(value, out);
    } else {
        problem = naptr_to_wire(value, out);
    }
    if (problem) return problem;
    rdata.insert(rdata.end(), out.begin(), out.end());
    return std::nullopt;
}

std::optional<std::string> to_text(std::string_view type, std::span<const uint8_t> rdata) {
    switch (kind_of(type)) {
        case Kind::Txt:
            if (rdata.empty()) return std::nullopt;
            return character_strings_to_text(rdata);
        case Kind::Caa: {
            if (rdata.size() < 2 || rdata[1] == 0 || 2u + rdata[1] > rdata.size())
                return std::nullopt;
            std::string tag(rdata.begin() + 2, rdata.begin() + 2 + rdata[1]);
            for (char c : tag)
                if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
            return std::to_string(rdata[0]) + " " + tag + " " +
                   quote_character_string(rdata.subspan(2u + rdata[1]));
        }
        case Kind::Naptr: {
            if (rdata.size() < 4) return std::nullopt;
            std::string out = std::to_string(rdata[0] << 8 | rdata[1]) + " " +
                              std::to_string(rdata[2] << 8 | rdata[3]);
            size_t at = 4;
            for (int i = 0; i < 3; ++i) {
                auto one = string_at(rdata, at);
                if (!one) return std::nullopt;
                out += " " + *one;
            }
            auto name = name_to_text(rdata, at);
            if (!name || at != rdata.size()) return std::nullopt;
            return out + " " + *name;
        }
        case Kind::None:
            break;
    }
    return std::nullopt;
}

std::string canonical_value(std::string_view type, const std::string& value) {
    if (!uses_character_strings(type)) return value;
    std::vector<uint8_t> rdata;
    if (to_rdata(type, value, rdata)) return value;
    return to_text(type, rdata).value_or(value);
}

}  // namespace r53::config
