// Domain-name conversions used at load and by the explain path (never on the query path).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace r53::resolver {

// Presentation name ("www.Example.com." or without the final dot) -> lower-case wire name.
std::optional<std::vector<uint8_t>> to_wire_name(std::string_view text);

// Wire name -> presentation, with the final dot.
std::string to_text_name(const uint8_t* wire);

// Length of the wire name at `wire` including the root label.
size_t wire_name_length(const uint8_t* wire) noexcept;

// True when `name` equals `zone` or lies below it (both lower-case wire names).
bool is_at_or_below(std::string_view name, std::string_view zone) noexcept;

}  // namespace r53::resolver
