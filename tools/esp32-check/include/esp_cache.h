// Stand-in for ESP-IDF's esp_cache.h (used by MicroPython's headers on ESP32-P4 only).
#pragma once
