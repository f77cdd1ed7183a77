// Stand-in for ESP-IDF's esp_random.h.
#pragma once
#include <stdint.h>
uint32_t esp_random(void);
