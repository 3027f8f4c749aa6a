/* SPDX-License-Identifier: MIT */
/*
 * harness.h: a tiny unit-test harness, in the manner of the kernel's
 * kselftest_harness.h. Include it from exactly one file per test binary; it
 * defines main().
 *
 *   TEST(name) { ... }                 a test that must return normally
 *   TEST_SIGNAL(name, SIGABRT) { ... } a test that must die by that signal
 *   ASSERT_*(...)  on failure: print file:line and what differed, end the test
 *   EXPECT_*(...)  on failure: print, mark the test failed, carry on
 *   SKIP(reason)   end the test as skipped
 *
 * Each test runs in its own forked child under alarm(HARNESS_TIMEOUT_S), so a
 * crash, a hang or leftover state cannot touch the next one. Arguments
 * select tests by name. Output: one line per test ("ok", "FAIL", "skip"),
 * then "N passed, N failed" as the last line. Exit status: 0 if all passed
 * (or were skipped), 1 if any failed, 99 if the harness itself broke.
 */
#ifndef REWIND_TESTS_UNIT_HARNESS_H
#define REWIND_TESTS_UNIT_HARNESS_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef HARNESS_TIMEOUT_S
#define HARNESS_TIMEOUT_S 10
#endif
#define HARNESS_MAX_TESTS 512
#define HARNESS_EXIT_SKIP 77

struct harness_test {
	const char *name;
	void (*fn)(void);
	int signo; /* 0: must return; otherwise the signal it must die by */
};

static struct harness_test harness_tests[HARNESS_MAX_TESTS];
static size_t harness_ntests;
static bool harness_expect_failed; /* in the child: an EXPECT_* failed */

static void harness_register(const char *name, void (*fn)(void), int signo)
{
	if (harness_ntests == HARNESS_MAX_TESTS) {
		fprintf(stderr, "harness: more than %d tests\n", HARNESS_MAX_TESTS);
		exit(99);
	}
	harness_tests[harness_ntests++] = (struct harness_test){ name, fn, signo };
}

#define TEST_SIGNAL(name, sig)                                                                 \
	static void test_##name(void);                                                         \
	__attribute__((constructor)) static void harness_register_##name(void)                 \
	{                                                                                      \
		harness_register(#name, test_##name, (sig));                                   \
	}                                                                                      \
	static void test_##name(void)
#define TEST(name) TEST_SIGNAL(name, 0)

#define SKIP(reason)                                                                           \
	do {                                                                                   \
		printf("  skipped: %s\n", (reason));                                           \
		fflush(stdout);                                                                \
		_exit(HARNESS_EXIT_SKIP);                                                      \
	} while (0)

/* In the child: report a failed check; a fatal one ends the test. */
static void harness_fail(bool fatal)
{
	fflush(stdout);
	fflush(stderr);
	if (fatal)
		_exit(1);
	harness_expect_failed = true;
}

#define HARNESS_CHECK(fatal, cond, ...)                                                        \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			printf("  %s:%d: ", __FILE__, __LINE__);                               \
			printf(__VA_ARGS__);                                                   \
			putchar('\n');                                                         \
			harness_fail(fatal);                                                   \
		}                                                                              \
	} while (0)

/* Integers: both sides are evaluated once and compared as long long. */
#define HARNESS_CMP(fatal, a, op, b)                                                           \
	do {                                                                                   \
		long long harness_a_ = (long long)(a), harness_b_ = (long long)(b);            \
		HARNESS_CHECK(fatal, harness_a_ op harness_b_, "%s %s %s: %lld vs %lld", #a,   \
			      #op, #b, harness_a_, harness_b_);                                \
	} while (0)

#define HARNESS_STR(fatal, a, op, b)                                                           \
	do {                                                                                   \
		const char *harness_a_ = (a), *harness_b_ = (b);                               \
		HARNESS_CHECK(fatal,                                                           \
			      harness_a_ && harness_b_ && strcmp(harness_a_, harness_b_) op 0, \
			      "%s %s %s: \"%s\" vs \"%s\"", #a, #op, #b,                       \
			      harness_a_ ? harness_a_ : "(null)",                              \
			      harness_b_ ? harness_b_ : "(null)");                             \
	} while (0)

#define ASSERT_TRUE(c) HARNESS_CHECK(true, (c), "%s is false", #c)
#define ASSERT_FALSE(c) HARNESS_CHECK(true, !(c), "%s is true", #c)
#define ASSERT_NULL(p) HARNESS_CHECK(true, (p) == NULL, "%s is not NULL", #p)
#define ASSERT_NONNULL(p) HARNESS_CHECK(true, (p) != NULL, "%s is NULL", #p)
#define ASSERT_EQ(a, b) HARNESS_CMP(true, a, ==, b)
#define ASSERT_NE(a, b) HARNESS_CMP(true, a, !=, b)
#define ASSERT_LT(a, b) HARNESS_CMP(true, a, <, b)
#define ASSERT_LE(a, b) HARNESS_CMP(true, a, <=, b)
#define ASSERT_GT(a, b) HARNESS_CMP(true, a, >, b)
#define ASSERT_GE(a, b) HARNESS_CMP(true, a, >=, b)
#define ASSERT_STREQ(a, b) HARNESS_STR(true, a, ==, b)
#define ASSERT_STRNE(a, b) HARNESS_STR(true, a, !=, b)

#define EXPECT_TRUE(c) HARNESS_CHECK(false, (c), "%s is false", #c)
#define EXPECT_FALSE(c) HARNESS_CHECK(false, !(c), "%s is true", #c)
#define EXPECT_NULL(p) HARNESS_CHECK(false, (p) == NULL, "%s is not NULL", #p)
#define EXPECT_NONNULL(p) HARNESS_CHECK(false, (p) != NULL, "%s is NULL", #p)
#define EXPECT_EQ(a, b) HARNESS_CMP(false, a, ==, b)
#define EXPECT_NE(a, b) HARNESS_CMP(false, a, !=, b)
#define EXPECT_LT(a, b) HARNESS_CMP(false, a, <, b)
#define EXPECT_LE(a, b) HARNESS_CMP(false, a, <=, b)
#define EXPECT_GT(a, b) HARNESS_CMP(false, a, >, b)
#define EXPECT_GE(a, b) HARNESS_CMP(false, a, >=, b)
#define EXPECT_STREQ(a, b) HARNESS_STR(false, a, ==, b)
#define EXPECT_STRNE(a, b) HARNESS_STR(false, a, !=, b)

static bool harness_selected(int argc, char **argv, const char *name)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], name))
			return true;
	}
	return false;
}

/* Every name on the command line must be a test: a typo must not pass. */
static bool harness_names_known(int argc, char **argv)
{
	bool ok = true;

	for (int i = 1; i < argc; i++) {
		size_t t = 0;

		while (t < harness_ntests && strcmp(harness_tests[t].name, argv[i]))
			t++;
		if (t == harness_ntests) {
			fprintf(stderr, "harness: no test named %s\n", argv[i]);
			ok = false;
		}
	}
	return ok;
}

/* Run one test in a child. 1 passed, 0 failed, -1 skipped; 99 if it could not run. */
static int harness_run(const struct harness_test *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("harness: fork");
		return 99;
	}
	if (pid == 0) {
		alarm(HARNESS_TIMEOUT_S);
		t->fn();
		fflush(stdout);
		fflush(stderr);
		_exit(harness_expect_failed ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("harness: waitpid");
		return 99;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == HARNESS_EXIT_SKIP) {
		printf("skip %s\n", t->name);
		return -1;
	}
	if (t->signo == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		goto out_ok;
	if (t->signo && WIFSIGNALED(status) && WTERMSIG(status) == t->signo)
		goto out_ok;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		printf("FAIL %s: timed out after %d s\n", t->name, HARNESS_TIMEOUT_S);
	else if (WIFSIGNALED(status))
		printf("FAIL %s: killed by signal %d (%s)\n", t->name, WTERMSIG(status),
		       strsignal(WTERMSIG(status)));
	else if (t->signo)
		printf("FAIL %s: exited %d, expected signal %d (%s)\n", t->name,
		       WEXITSTATUS(status), t->signo, strsignal(t->signo));
	else
		printf("FAIL %s\n", t->name);
	return 0;
out_ok:
	printf("ok   %s\n", t->name);
	return 1;
}

int main(int argc, char **argv)
{
	unsigned int passed = 0, failed = 0;

	if (!harness_names_known(argc, argv))
		return 99;
	for (size_t i = 0; i < harness_ntests; i++) {
		int r;

		if (!harness_selected(argc, argv, harness_tests[i].name))
			continue;
		r = harness_run(&harness_tests[i]);
		if (r == 99)
			return 99;
		if (r == 1)
			passed++;
		else if (r == 0)
			failed++;
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif /* REWIND_TESTS_UNIT_HARNESS_H */
