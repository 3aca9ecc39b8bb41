/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2024 The Harbour Tools authors */

#ifndef HARBOUR_RINGBUF_H
#define HARBOUR_RINGBUF_H

#include <stddef.h>
#include <stdint.h>

/* A fixed-size ring buffer of tide gauge samples, one per minute. */
struct ringbuf {
    int16_t *samples; /* water level in centimetres above chart datum */
    size_t capacity;
    size_t head;
    size_t count;
};

int ringbuf_init(struct ringbuf *rb, size_t capacity);
void ringbuf_free(struct ringbuf *rb);
void ringbuf_push(struct ringbuf *rb, int16_t sample);
int ringbuf_get(const struct ringbuf *rb, size_t age, int16_t *out);
double ringbuf_mean(const struct ringbuf *rb, size_t last_n);

#endif /* HARBOUR_RINGBUF_H */
