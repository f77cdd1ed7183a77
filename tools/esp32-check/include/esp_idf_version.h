// Stand-in for ESP-IDF's esp_idf_version.h: IDF 5.5.1, the version MicroPython 1.28 recommends.
#pragma once
#define ESP_IDF_VERSION_VAL(major, minor, patch) (((major) << 16) | ((minor) << 8) | (patch))
#define ESP_IDF_VERSION ESP_IDF_VERSION_VAL(5, 5, 1)
#define IDF_VER "v5.5.1"
