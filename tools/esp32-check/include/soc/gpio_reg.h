// Stand-in for ESP-IDF's gpio_reg.h for the ESP32-C3.
#pragma once
#define GPIO_OUT_REG 0x60004004
