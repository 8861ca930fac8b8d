// Route 53's character-string text (semantics §5 "Names/case/types": "others \ooo octal", "TXT
// strings ≤255 chars"): value -> wire -> value round trips over every byte, the 255-byte edge,
// several and empty strings, CAA and NAPTR, and the errors. ldns reads the RFC 1035 decimal form
// of the same bytes, as an independent check of the wire side.
// clang-format off
#include <stdbool.h>  // first: without it ldns/common.h #defines bool
#include <ldns/ldns.h>
// clang-format on

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "config/character_string.hpp"

namespace r53::config {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes wire_of(const std::string& type, const std::string& value) {
    Bytes out;
    auto problem = to_rdata(type, value, out);
    EXPECT_FALSE(problem) << value << ": " << (problem ? problem->code : "");
    return out;
}

std::string problem_of(const std::string& type, const std::string& value) {
    Bytes out;
    auto problem = to_rdata(type, value, out);
    EXPECT_TRUE(out.empty()) << "a rejected value appends nothing";
    return problem ? problem->code : "";
}

std::string text_of(const std::string& type, const Bytes& rdata) {
    auto text = to_text(type, rdata);
    EXPECT_TRUE(text) << type;
    return text.value_or("<invalid>");
}

std::string octal(uint8_t b) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "\\%03o", b);
    return buffer;
}

// The RDATA ldns builds from an RFC 1035 zone-file TXT value (decimal escapes).
Bytes ldns_txt_rdata(const std::string& presentation) {
    std::string text = "x. 0 IN TXT " + presentation;
    ldns_rr* rr = nullptr;
    Bytes out;
    if (ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr) == LDNS_STATUS_OK) {
        for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
            const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
            out.insert(out.end(), ldns_rdf_data(rdf), ldns_rdf_data(rdf) + ldns_rdf_size(rdf));
        }
    }
    if (rr) ldns_rr_free(rr);
    return out;
}

TEST(CharacterString, IssueExampleIsOctal) {  // §5: "caf\351" is c a f 0xE9, \011 a TAB
    EXPECT_EQ(wire_of("TXT", "\"caf\\351 \\011tab\""),
              (Bytes{9, 'c', 'a', 'f', 0xE9, ' ', 0x09, 't', 'a', 'b'}));
    // The same bytes as dig shows them (decimal), read by ldns.
    EXPECT_EQ(wire_of("TXT", "\"caf\\351 \\011tab\""), ldns_txt_rdata("\"caf\\233 \\009tab\""));
    EXPECT_EQ(text_of("TXT", wire_of("TXT", "\"caf\\351 \\011tab\"")), "\"caf\\351 \\011tab\"");
}

TEST(CharacterString, EveryByteRoundTrips) {
    for (int b = 0; b < 256; ++b) {
        const uint8_t byte = static_cast<uint8_t>(b);
        const Bytes wire = {1, byte};
        const std::string text = text_of("TXT", wire);
        // Printable ASCII but " and \ is written as itself, everything else as \ooo.
        std::string expected;
        if (byte == '"' || byte == '\\')
            expected = std::string("\"\\") + static_cast<char>(byte) + "\"";
        else if (byte >= 0x20 && byte < 0x7F)
            expected = std::string("\"") + static_cast<char>(byte) + "\"";
        else
            expected = "\"" + octal(byte) + "\"";
        EXPECT_EQ(text, expected) << b;
        EXPECT_EQ(wire_of("TXT", text), wire) << text;
        // The octal escape of any byte reads back to the byte, and ldns agrees on the decimal.
        EXPECT_EQ(wire_of("TXT", "\"" + octal(byte) + "\""), wire) << b;
        char decimal[8];
        std::snprintf(decimal, sizeof decimal, "\\%03d", b);
        EXPECT_EQ(ldns_txt_rdata(std::string("\"") + decimal + "\""), wire) << b;
    }
}

TEST(CharacterString, AllBytesInOneValue) {
    Bytes first = {255}, second = {1};
    for (int b = 0; b < 255; ++b) first.push_back(static_cast<uint8_t>(b));
    second.push_back(255);
    Bytes wire = first;
    wire.insert(wire.end(), second.begin(), second.end());
    const std::string text = text_of("TXT", wire);
    EXPECT_EQ(wire_of("TXT", text), wire);
    EXPECT_EQ(canonical_value("TXT", text), text);  // canonical text is a fixed point
}

TEST(CharacterString, ExactlyTwoHundredFiftyFiveBytes) {  // §5: TXT strings ≤255 chars
    const std::string plain(255, 'a');
    Bytes wire = wire_of("TXT", "\"" + plain + "\"");
    ASSERT_EQ(wire.size(), 256u);
    EXPECT_EQ(wire[0], 255);
    EXPECT_EQ(text_of("TXT", wire), "\"" + plain + "\"");
    // 255 escaped bytes are 255 bytes, though the text is four times longer.
    std::string escaped;
    for (int i = 0; i < 255; ++i) escaped += "\\351";
    EXPECT_EQ(wire_of("TXT", "\"" + escaped + "\"").size(), 256u);
}

TEST(CharacterString, OverLongStringIsAClearError) {
    EXPECT_EQ(problem_of("TXT", "\"" + std::string(256, 'a') + "\""), "CharacterStringTooLong");
    std::string escaped;
    for (int i = 0; i < 256; ++i) escaped += "\\011";
    EXPECT_EQ(problem_of("SPF", "\"" + escaped + "\""), "CharacterStringTooLong");
    // Two strings of 255 are fine: the limit is per string.
    EXPECT_EQ(wire_of("TXT", "\"" + std::string(255, 'a') + "\" \"" + std::string(255, 'b') + "\"")
                  .size(),
              512u);
    Bytes out;
    auto problem = to_rdata("TXT", "\"" + std::string(300, 'x') + "\"", out);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->explanation, "Value is too long");
}

TEST(CharacterString, SeveralStringsInOneValue) {
    EXPECT_EQ(wire_of("TXT", "\"v=1\" \"two strings\""),
              (Bytes{3, 'v', '=', '1', 11, 't', 'w', 'o', ' ', 's', 't', 'r', 'i', 'n', 'g', 's'}));
    EXPECT_EQ(wire_of("TXT", "\"a\"   \"b\""), (Bytes{1, 'a', 1, 'b'}));
    EXPECT_EQ(wire_of("TXT", "\"a\"\"b\""), (Bytes{1, 'a', 1, 'b'}));
    EXPECT_EQ(text_of("TXT", Bytes{1, 'a', 0, 1, 'b'}), "\"a\" \"\" \"b\"");
}

TEST(CharacterString, EmptyStrings) {
    EXPECT_EQ(wire_of("TXT", "\"\""), Bytes{0});
    EXPECT_EQ(wire_of("TXT", "\"\" \"\""), (Bytes{0, 0}));
    EXPECT_EQ(text_of("TXT", Bytes{0}), "\"\"");
    EXPECT_EQ(text_of("TXT", Bytes{0, 0}), "\"\" \"\"");
    // No string at all is not a TXT record.
    EXPECT_EQ(problem_of("TXT", ""), "TXTRRDATAIllegal");
    EXPECT_EQ(problem_of("TXT", "   "), "TXTRRDATAIllegal");
    EXPECT_FALSE(to_text("TXT", Bytes{}));
}

TEST(CharacterString, QuotesAndBackslashes) {
    EXPECT_EQ(wire_of("TXT", R"("say \"hi\" \\o/")"),
              (Bytes{12, 's', 'a', 'y', ' ', '"', 'h', 'i', '"', ' ', '\\', 'o', '/'}));
    EXPECT_EQ(text_of("TXT", wire_of("TXT", R"("say \"hi\" \\o/")")), R"("say \"hi\" \\o/")");
    EXPECT_EQ(wire_of("TXT", R"("\a\;")"), (Bytes{2, 'a', ';'}));  // other escapes are literal
    EXPECT_EQ(wire_of("TXT", "\"caf\xC3\xA9\""), (Bytes{5, 'c', 'a', 'f', 0xC3, 0xA9}));
    EXPECT_EQ(canonical_value("TXT", "\"caf\xC3\xA9\""), "\"caf\\303\\251\"");
    EXPECT_EQ(wire_of("TXT", "\"a\\011b\""), (Bytes{3, 'a', '\t', 'b'}));  // a TAB, escaped
}

TEST(CharacterString, BadEscapesAndQuotes) {
    EXPECT_EQ(problem_of("TXT", R"("\9")"), "InvalidEscapeSequence");    // not octal
    EXPECT_EQ(problem_of("TXT", R"("\400")"), "InvalidEscapeSequence");  // over 377
    EXPECT_EQ(problem_of("TXT", R"("\35")"), "InvalidEscapeSequence");   // two digits
    EXPECT_EQ(problem_of("TXT", R"("\089")"), "InvalidEscapeSequence");  // 8 is not octal
    EXPECT_EQ(problem_of("TXT", "\"abc\\"), "InvalidEscapeSequence");    // nothing follows
    EXPECT_EQ(problem_of("TXT", R"("open)"), "UnbalancedQuotes");
    EXPECT_EQ(problem_of("TXT", R"("ends in an escaped quote\")"), "UnbalancedQuotes");
}

// What Route 53 answers for unquoted text and raw control characters (Obs, semantics §0 S22: the
// errors quoted in binxio/cfn-ses-provider#23 and plesk/ext-route53#13).
TEST(CharacterString, QuotesAreRequiredAndControlCharactersEscaped) {
    EXPECT_EQ(problem_of("TXT", "v=spf1 include:amazonses.com ~all"), "InvalidCharacterString");
    EXPECT_EQ(problem_of("SPF", "token"), "InvalidCharacterString");
    EXPECT_EQ(problem_of("TXT", "\"a\" b"), "InvalidCharacterString");
    Bytes out;
    auto problem = to_rdata("TXT", "token", out);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->explanation, "Value should be enclosed in quotation marks");
    EXPECT_EQ(problem_of("TXT", "\"two\nlines\""), "UnsupportedCharacter");
    EXPECT_EQ(problem_of("TXT", "\"a\tb\""), "UnsupportedCharacter");
    EXPECT_EQ(problem_of("TXT", "\t\"a\""), "UnsupportedCharacter");
    EXPECT_EQ(problem_of("CAA", "0 issue \"a\x7f\""), "UnsupportedCharacter");
}

TEST(CharacterString, MalformedWireIsRefused) {
    EXPECT_FALSE(to_text("TXT", Bytes{3, 'a'}));  // length past the end
    EXPECT_FALSE(to_text("CAA", Bytes{0}));
    EXPECT_FALSE(to_text("CAA", Bytes{0, 5, 'i'}));
    EXPECT_FALSE(to_text("NAPTR", Bytes{0, 1, 0, 2, 0, 0, 0}));  // no replacement
}

TEST(CharacterString, Caa) {
    const Bytes wire = wire_of("CAA", "0 issue \"amazon.com\"");
    EXPECT_EQ(wire, (Bytes{0, 5, 'i', 's', 's', 'u', 'e', 'a', 'm', 'a', 'z', 'o', 'n', '.', 'c',
                           'o', 'm'}));
    EXPECT_EQ(text_of("CAA", wire), "0 issue \"amazon.com\"");
    EXPECT_EQ(text_of("CAA", wire_of("CAA", "128 iodef \"mailto:caf\\351@example.com\"")),
              "128 iodef \"mailto:caf\\351@example.com\"");
    EXPECT_EQ(canonical_value("CAA", "0 issue amazon.com"), "0 issue \"amazon.com\"");
    EXPECT_EQ(text_of("CAA", wire_of("CAA", "0 issue \"\"")), "0 issue \"\"");
    // RFC 8659: the value is the rest of the RDATA, so it may be longer than 255 bytes.
    EXPECT_EQ(wire_of("CAA", "0 issue \"" + std::string(300, 'a') + "\"").size(), 2u + 5 + 300);
    EXPECT_EQ(problem_of("CAA", "256 issue \"x\""), "CAARRDATAIllegal");
    EXPECT_EQ(problem_of("CAA", "0 is-sue \"x\""), "CAARRDATAIllegal");
    EXPECT_EQ(problem_of("CAA", "0 issue"), "CAARRDATAIllegal");
    EXPECT_EQ(problem_of("CAA", "0 issue \"x\" extra"), "CAARRDATAIllegal");
    EXPECT_EQ(problem_of("CAA", "0 issue \"x"), "UnbalancedQuotes");
}

TEST(CharacterString, Naptr) {
    const std::string value = "100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:caf\\351@example.com!\" .";
    const Bytes wire = wire_of("NAPTR", value);
    ASSERT_GE(wire.size(), 8u);
    EXPECT_EQ(wire[0] << 8 | wire[1], 100);
    EXPECT_EQ(wire[2] << 8 | wire[3], 10);
    EXPECT_EQ(wire.back(), 0);  // the root as replacement
    EXPECT_EQ(text_of("NAPTR", wire), value);
    EXPECT_EQ(text_of("NAPTR", wire_of("NAPTR", "1 2 u \"\" \"\" _sip._udp.example.com")),
              "1 2 \"u\" \"\" \"\" _sip._udp.example.com.");
    // Names take octal escapes too (DomainNameFormat: f\374bar.example.com).
    const Bytes named = wire_of("NAPTR", "1 2 \"\" \"\" \"\" f\\374bar.example.com.");
    EXPECT_EQ(Bytes(named.end() - 19, named.end()),
              (Bytes{5, 'f', 0xFC, 'b', 'a', 'r', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o',
                     'm', 0}));
    EXPECT_EQ(text_of("NAPTR", named), "1 2 \"\" \"\" \"\" f\\374bar.example.com.");
    EXPECT_EQ(problem_of("NAPTR", "1 2 \"" + std::string(256, 'a') + "\" \"\" \"\" ."),
              "CharacterStringTooLong");
    EXPECT_EQ(problem_of("NAPTR", "70000 2 \"\" \"\" \"\" ."), "NAPTRRRDATAIllegal");
    EXPECT_EQ(problem_of("NAPTR", "1 2 \"\" \"\" \"\""), "NAPTRRRDATAIllegal");
    EXPECT_EQ(problem_of("NAPTR", "1 2 \"\" \"\" \"\" a..b."), "NAPTRRRDATAIllegal");
    EXPECT_EQ(problem_of("NAPTR", "1 2 \"\" \"\" \"\" " + std::string(64, 'a') + "."),
              "NAPTRRRDATAIllegal");
}

TEST(CharacterString, OtherTypesAreLeftAlone) {
    EXPECT_FALSE(uses_character_strings("A"));
    EXPECT_TRUE(uses_character_strings("SPF"));
    EXPECT_EQ(canonical_value("A", "192.0.2.1"), "192.0.2.1");
    EXPECT_EQ(canonical_value("TXT", "\"open"), "\"open");  // invalid: kept for the error text
}

}  // namespace
}  // namespace r53::config
