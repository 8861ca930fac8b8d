// The admin API's JSON text: numbers as people write them, strings escaped per RFC 8259, and
// every output readable back by a JSON parser to the same value.
#include "server/http/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <limits>

namespace r53::server {
namespace {

namespace json = boost::json;

TEST(JsonText, IntegralDoublesPrintAsIntegers) {
    EXPECT_EQ(to_json_text(json::value(100.0)), "100");  // Boost.JSON: 1E2
    EXPECT_EQ(to_json_text(json::value(30.0)), "30");    // Boost.JSON: 3E1
    EXPECT_EQ(to_json_text(json::value(1.0)), "1");
    EXPECT_EQ(to_json_text(json::value(-3.0)), "-3");
    EXPECT_EQ(to_json_text(json::value(0.0)), "0");
    EXPECT_EQ(to_json_text(json::value(-0.0)), "0");
    EXPECT_EQ(to_json_text(json::value(1e20)), "100000000000000000000");
    EXPECT_EQ(to_json_text(json::value(1764876000.0)), "1764876000");
}

TEST(JsonText, OtherDoublesUseTheShortestDigitsThatReadBack) {
    EXPECT_EQ(to_json_text(json::value(0.1)), "0.1");
    EXPECT_EQ(to_json_text(json::value(-2.5)), "-2.5");
    EXPECT_EQ(to_json_text(json::value(1764876000.125)), "1764876000.125");
    EXPECT_EQ(to_json_text(json::value(0.000001)), "0.000001");
    EXPECT_EQ(to_json_text(json::value(1.0 / 3)), "0.3333333333333333");
}

TEST(JsonText, VerySmallAndVeryLargeUseAnExponentWithoutPadding) {
    EXPECT_EQ(to_json_text(json::value(1e-7)), "1e-7");
    EXPECT_EQ(to_json_text(json::value(-1.5e-12)), "-1.5e-12");
    EXPECT_EQ(to_json_text(json::value(1e21)), "1e+21");
    EXPECT_EQ(to_json_text(json::value(1.7976931348623157e308)), "1.7976931348623157e+308");
    EXPECT_EQ(to_json_text(json::value(5e-324)), "5e-324");
}

TEST(JsonText, NonFiniteNumbersAreNull) {
    // JSON has no spelling for them; null keeps the reply parseable (see json_text.hpp).
    EXPECT_EQ(to_json_text(json::value(std::numeric_limits<double>::quiet_NaN())), "null");
    EXPECT_EQ(to_json_text(json::value(std::numeric_limits<double>::infinity())), "null");
    EXPECT_EQ(to_json_text(json::value(-std::numeric_limits<double>::infinity())), "null");
}

TEST(JsonText, IntegersPrintAsThemselves) {
    EXPECT_EQ(to_json_text(json::value(int64_t{-42})), "-42");
    EXPECT_EQ(to_json_text(json::value(std::numeric_limits<int64_t>::min())),
              "-9223372036854775808");
    EXPECT_EQ(to_json_text(json::value(std::numeric_limits<uint64_t>::max())),
              "18446744073709551615");
}

TEST(JsonText, EveryNumberReadsBackToTheSameDouble) {
    for (double v : {0.1, 0.2, 0.3, 1e-7, 1e21, 123456.789, 2.5e-5, 9007199254740993.0, 1e300,
                     -7.25, 3.0e-300, 0.017, 86400.5}) {
        const std::string text = to_json_text(json::value(v));
        EXPECT_EQ(json::parse(text).to_number<double>(), v) << text;
    }
}

TEST(JsonText, StringsAreEscapedPerRfc8259) {
    EXPECT_EQ(to_json_text(json::value("a\"b\\c")), R"("a\"b\\c")");
    EXPECT_EQ(to_json_text(json::value("tab\tnl\ncr\r")), R"("tab\tnl\ncr\r")");
    EXPECT_EQ(to_json_text(json::value(std::string("\x01\x1f", 2))), R"("\u0001\u001f")");
    EXPECT_EQ(to_json_text(json::value("/ stays")), R"("/ stays")");
    EXPECT_EQ(to_json_text(json::value("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")),
              "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST(JsonText, BytesThatAreNotUtf8BecomeTheReplacementCharacter) {
    EXPECT_EQ(to_json_text(json::value(std::string("a\xff"
                                                   "b",
                                                   3))),
              R"("a\ufffdb")");
    EXPECT_EQ(to_json_text(json::value(std::string("\xc3", 1))), R"("\ufffd")");  // cut short
    EXPECT_EQ(to_json_text(json::value("\xc0\xaf")), R"("\ufffd\ufffd")");        // overlong
    EXPECT_EQ(to_json_text(json::value("\xed\xa0\x80")),
              R"("\ufffd\ufffd\ufffd")");  // a UTF-16 surrogate
}

TEST(JsonText, ObjectsKeepTheirOrderAndNest) {
    json::value v = {{"interval", 100.0},
                     {"error", {{"code", "X"}, {"message", "y"}}},
                     {"list", json::array{1, 2.5, nullptr, true, false, "s"}},
                     {"empty", json::object{}},
                     {"none", json::array{}}};
    EXPECT_EQ(to_json_text(v), R"({"interval":100,"error":{"code":"X","message":"y"},)"
                               R"("list":[1,2.5,null,true,false,"s"],"empty":{},"none":[]})");
    EXPECT_EQ(json::parse(to_json_text(v)).at("error"), v.at("error"));
}

TEST(JsonText, NumberTextAlone) {
    EXPECT_EQ(json_number_text(100.0), "100");
    EXPECT_EQ(json_number_text(std::nan("")), "null");
}

}  // namespace
}  // namespace r53::server
