// SPDX-License-Identifier: MIT
// Copyright (c) 2024 The Harbour Tools authors

#include "ringbuf.h"

#include <stdlib.h>

int ringbuf_init(struct ringbuf *rb, size_t capacity)
{
    rb->samples = calloc(capacity, sizeof *rb->samples);
    if (rb->samples == NULL)
        return -1;
    rb->capacity = capacity;
    rb->head = 0;
    rb->count = 0;
    return 0;
}

void ringbuf_free(struct ringbuf *rb)
{
    free(rb->samples);
    rb->samples = NULL;
    rb->capacity = rb->head = rb->count = 0;
}

void ringbuf_push(struct ringbuf *rb, int16_t sample)
{
    rb->samples[rb->head] = sample;
    rb->head = (rb->head + 1) % rb->capacity;
    if (rb->count < rb->capacity)
        rb->count++;
}

/* age 0 is the newest sample; returns -1 when the buffer holds fewer than age + 1 samples. */
int ringbuf_get(const struct ringbuf *rb, size_t age, int16_t *out)
{
    if (age >= rb->count)
        return -1;
    *out = rb->samples[(rb->head + rb->capacity - 1 - age) % rb->capacity];
    return 0;
}

double ringbuf_mean(const struct ringbuf *rb, size_t last_n)
{
    long sum = 0;
    size_t n = last_n < rb->count ? last_n : rb->count;
    int16_t v;
    for (size_t i = 0; i < n; i++) {
        ringbuf_get(rb, i, &v);
        sum += v;
    }
    return n ? (double)sum / (double)n : 0.0;
}
