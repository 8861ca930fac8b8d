// Route 53's text form of character-strings (semantics §5 "Names/case/types"), to wire and back.
//
// Route 53 reads `\ooo` as a three-digit OCTAL escape ("caf\351" is c a f 0xE9, "\011" is a TAB),
// plus `\"` and `\\`, where RFC 1035 zone files (and ldns, dig, NSD) read `\DDD` as decimal. So
// the values of the types that carry character-strings (TXT, SPF, CAA, NAPTR) are never handed to
// ldns: this is the one converter the YAML config, change batches, the REST API and the admin API
// all use. ListResourceRecordSets returns values in the canonical form `to_text` writes: every
// string quoted, bytes outside printable ASCII as `\ooo`, `"` and `\` escaped.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace r53::config {

// Why a value is rejected, in Route 53's pattern "FATAL problem: <code> (<explanation>)".
struct TextProblem {
    std::string code;         // "CharacterStringTooLong", "UnbalancedQuotes", "CAARRDATAIllegal"
    std::string explanation;  // "Value is too long"
};

// TXT, SPF, CAA and NAPTR: the types whose values this converter reads and writes.
bool uses_character_strings(std::string_view type) noexcept;

// A Value of one of those types -> its RDATA (without RDLENGTH), appended to `rdata`. Returns the
// problem when the value is not valid; `rdata` is then left as it was.
std::optional<TextProblem> to_rdata(std::string_view type, std::string_view value,
                                    std::vector<uint8_t>& rdata);

// RDATA -> the canonical Value, or nullopt when the bytes are not a valid RDATA of `type`.
std::optional<std::string> to_text(std::string_view type, std::span<const uint8_t> rdata);

// The canonical form of a value (to_text(to_rdata(value))); the value itself when it is of
// another type or not valid, so the validator can quote it as it was given.
std::string canonical_value(std::string_view type, const std::string& value);

// The pieces, for TXT/SPF: one or more quoted character-strings separated by spaces (Route 53
// refuses unquoted text: "InvalidCharacterString (Value should be enclosed in quotation marks)").
std::optional<TextProblem> character_strings_to_wire(std::string_view text,
                                                     std::vector<uint8_t>& wire);
// Length-prefixed strings -> `"a" "b"`; nullopt when a length runs past the end.
std::optional<std::string> character_strings_to_text(std::span<const uint8_t> wire);
// One string's bytes, quoted and escaped.
std::string quote_character_string(std::span<const uint8_t> bytes);

}  // namespace r53::config
