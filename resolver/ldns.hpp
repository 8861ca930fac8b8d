// ldns for C++: without stdbool.h first, ldns/common.h redefines `bool`/`false` as macros,
// which breaks the standard library headers included after it.
#pragma once

// clang-format off
#include <stdbool.h>
#include <ldns/ldns.h>
// clang-format on
