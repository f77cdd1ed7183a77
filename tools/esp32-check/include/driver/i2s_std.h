// Stand-in for ESP-IDF's i2s_std.h (MicroPython 1.25 and 1.26 include it from
// mpconfigport.h; i2s_std.h brings in soc_caps.h there).
#pragma once
#include "soc/soc_caps.h"
