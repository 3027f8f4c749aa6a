/* SPDX-License-Identifier: MIT */
/* Unsafe libc calls that must not be used: they fail to compile. */
#ifndef REWIND_BASE_BANNED_H
#define REWIND_BASE_BANNED_H

#define BANNED(f) sorry_##f##_is_banned

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef gets
#define gets(x) BANNED(gets)

#endif /* REWIND_BASE_BANNED_H */
