// Stand-in for ESP-IDF's esp_err.h (only what MicroPython's esp32 headers use).
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef int esp_err_t;
#define ESP_OK 0
