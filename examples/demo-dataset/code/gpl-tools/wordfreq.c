/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * wordfreq - count word frequencies in the forum exports
 * Copyright (C) 2024 The Harbour Tools authors
 *
 * This program is free software: you can redistribute it and/or modify it under the terms of the GNU
 * General Public License as published by the Free Software Foundation, either version 3 of the
 * License, or (at your option) any later version. See the file COPYING.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE 4096
#define WORD 64

struct entry {
    char word[WORD];
    unsigned long count;
    struct entry *next;
};

static struct entry *table[TABLE];

static unsigned hash(const char *s)
{
    unsigned h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h % TABLE;
}

static void add(const char *w)
{
    unsigned h = hash(w);
    for (struct entry *e = table[h]; e; e = e->next)
        if (strcmp(e->word, w) == 0) {
            e->count++;
            return;
        }
    struct entry *e = calloc(1, sizeof *e);
    if (!e) {
        perror("wordfreq");
        exit(1);
    }
    strncpy(e->word, w, WORD - 1);
    e->count = 1;
    e->next = table[h];
    table[h] = e;
}

int main(void)
{
    char w[WORD];
    size_t n = 0;
    int c;
    while ((c = getchar()) != EOF) {
        if (isalpha(c) || c == '\'') {
            if (n < WORD - 1)
                w[n++] = (char)tolower(c);
        } else if (n > 0) {
            w[n] = '\0';
            add(w);
            n = 0;
        }
    }
    if (n > 0) {
        w[n] = '\0';
        add(w);
    }
    for (int i = 0; i < TABLE; i++)
        for (struct entry *e = table[i]; e; e = e->next)
            printf("%lu\t%s\n", e->count, e->word);
    return 0;
}
