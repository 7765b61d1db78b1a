// Times the two ways Blit can create a new small file, outside Blit: an unnamed O_TMPFILE inode
// linked under its name when complete (what Blit does in a directory that already exists), and
// a plain O_CREAT|O_EXCL file (what it does inside a staged new directory). Each thread fills its
// own directory with 2 KiB files, as the Mixed workload does, and sets an mtime on each.
// Build and run through scripts/Measure-CreatePath.sh.
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int g_tmpfile, g_per_thread;
static const char *g_root;
static char g_data[2048];

static void die(const char *what) { perror(what); exit(1); }

static void *fill(void *arg)
{
    char dir[4096], name[64];
    snprintf(dir, sizeof dir, "%s/t%ld", g_root, (long)arg);
    if (mkdir(dir, 0755) != 0) die("mkdir");
    int dfd = open(dir, O_DIRECTORY | O_RDONLY);
    if (dfd < 0) die("open dir");
    const struct timespec times[2] = { { 1, 0 }, { 1, 0 } };
    for (int i = 0; i < g_per_thread; i++) {
        snprintf(name, sizeof name, "f%07d", i);
        int fd = g_tmpfile ? openat(dfd, ".", O_TMPFILE | O_WRONLY, 0644)
                           : openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (fd < 0) die("create");
        if (write(fd, g_data, sizeof g_data) != (ssize_t)sizeof g_data) die("write");
        if (futimens(fd, times) != 0) die("futimens");
        if (g_tmpfile && linkat(fd, "", dfd, name, AT_EMPTY_PATH) != 0) die("linkat");
        close(fd);
    }
    close(dfd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 5) { fprintf(stderr, "usage: %s DIR tmpfile|create THREADS FILES\n", argv[0]); return 2; }
    g_root = argv[1];
    g_tmpfile = strcmp(argv[2], "tmpfile") == 0;
    int threads = atoi(argv[3]);
    if (threads < 1 || threads > 64) { fprintf(stderr, "THREADS must be 1-64\n"); return 2; }
    g_per_thread = atoi(argv[4]) / threads;
    memset(g_data, 'x', sizeof g_data);
    pthread_t t[64];
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < threads; i++) pthread_create(&t[i], NULL, fill, (void *)i);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%s threads=%d files=%d seconds=%.3f\n", argv[2], threads, g_per_thread * threads,
           (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
    return 0;
}
