// Stand-in for ESP-IDF's esp_attr.h.
#pragma once
#define IRAM_ATTR __attribute__((section(".iram1")))
