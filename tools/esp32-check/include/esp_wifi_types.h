// Stand-in for ESP-IDF's esp_wifi_types.h (included by MicroPython 1.25 and 1.26's mpconfigport.h).
#pragma once
