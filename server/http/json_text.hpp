// JSON text as the admin API writes it (RFC 8259), for people who read it with curl as much as
// for programs: numbers as a person writes them (100, 30, 0.25), never Boost.JSON's 1E2 or 3E1.
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace r53::server {

// The compact text of `value`: no spaces, object members in their insertion order.
//  - Integers (int64, uint64) print as themselves.
//  - A double with an integral value below 1e21 in magnitude prints as an integer (100.0 ->
//    "100", -0.0 -> "0"); other doubles in [1e-6, 1e21) print in plain decimal with the fewest
//    digits that read back to the same double (0.1 -> "0.1"); outside that range, in exponent
//    form with the same digits ("1e-7", "1e+21"). These are ECMAScript's rules (Number's
//    toString), so the dashboard, Python and Go print what the server sent.
//  - NaN and the infinities have no JSON spelling; they print as null, so a reply stays
//    parseable and says "no value" rather than failing the whole request.
//  - Strings escape '"', '\\' and control characters; other UTF-8 passes through, and bytes that
//    are not valid UTF-8 become U+FFFD, so the text is always valid JSON.
std::string to_json_text(const boost::json::value& value);
void append_json_text(std::string& out, const boost::json::value& value);

// One double as to_json_text prints it ("null" for NaN and the infinities).
std::string json_number_text(double value);

}  // namespace r53::server
