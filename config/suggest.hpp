// "Did you mean ...?": the nearest valid spelling of a mistyped key, type, region or flag.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace r53::config {

// Edit distance (insertions, deletions, substitutions and swaps of neighbours), compared
// without regard to case: "type" is one edit from "Type" in spirit, zero here.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, if it is close enough to be what was meant: at most one
// edit for words of up to four letters, two up to eight, three beyond. Ties go to the first.
std::optional<std::string> nearest(std::string_view word,
                                   const std::vector<std::string>& candidates);

// " (did you mean 'X'?)" or "" : ready to append to an error message.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace r53::config
