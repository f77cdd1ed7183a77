// Stand-in for ESP-IDF's gpio.h (declarations only).
#pragma once
#include <stdint.h>
#include "esp_err.h"
typedef int gpio_num_t;
typedef enum {
    GPIO_MODE_INPUT = 1,
    GPIO_MODE_INPUT_OUTPUT = 3,
    GPIO_MODE_INPUT_OUTPUT_OD = 7,
} gpio_mode_t;
esp_err_t gpio_set_direction(gpio_num_t gpio_num, gpio_mode_t mode);
esp_err_t gpio_set_level(gpio_num_t gpio_num, uint32_t level);
int gpio_get_level(gpio_num_t gpio_num);
void esp_rom_gpio_pad_select_gpio(uint32_t iopad_num);
