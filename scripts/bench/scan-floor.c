/*
 * The scan floor: what listing and stat'ing a tree costs with nothing else around it.
 * One thread per tree given; each walks its tree depth-first with openat/readdir and statx's
 * every entry by its name relative to the directory (AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS),
 * as Blit's Linux backend does, and keeps nothing. Prints the wall time and entries per tree.
 *   scan-floor TREE [TREE...]
 * Used by scripts/Measure-ScanFloor.sh; see docs/performance.md ("Against a floor written in C").
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct job { const char *root; long entries; int failed; };

static long walk(int dirfd, int *failed)
{
    long n = 0;
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) { *failed = 1; if (fd >= 0) close(fd); return 0; }
    struct dirent *e;
    struct statx st;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && (e->d_name[1] == 0 || (e->d_name[1] == '.' && e->d_name[2] == 0)))
            continue;
        if (statx(dirfd, e->d_name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) != 0) { *failed = 1; continue; }
        n++;
        if (S_ISDIR(st.stx_mode)) {
            int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) { *failed = 1; continue; }
            n += walk(sub, failed);
            close(sub);
        }
    }
    closedir(d);
    return n;
}

static void *run(void *arg)
{
    struct job *j = arg;
    int fd = open(j->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) { j->failed = 1; return NULL; }
    j->entries = walk(fd, &j->failed);
    close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: %s TREE [TREE...]\n", argv[0]); return 2; }
    int n = argc - 1;
    struct job *jobs = calloc(n, sizeof *jobs);
    pthread_t *threads = calloc(n, sizeof *threads);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) { jobs[i].root = argv[i + 1]; pthread_create(&threads[i], NULL, run, &jobs[i]); }
    for (int i = 0; i < n; i++) pthread_join(threads[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int failed = 0;
    printf("scan-floor wall=%.3f", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    for (int i = 0; i < n; i++) { printf(" entries=%ld", jobs[i].entries); failed |= jobs[i].failed; }
    printf("%s\n", failed ? " (some entries could not be read)" : "");
    return failed;
}
