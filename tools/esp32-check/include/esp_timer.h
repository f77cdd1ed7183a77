// Stand-in for ESP-IDF's esp_timer.h (MicroPython master's mphalport.h reads the
// microsecond clock inline from it).
#pragma once
#include <stdint.h>
int64_t esp_timer_get_time(void);
