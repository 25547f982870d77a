/*
 * Native floor of `sparsitybench prune MODEL --out OUT --method global --sparsity S` for SafeTensors files whose
 * prunable tensors are BF16 or F16: what a small C program does in the same work, so that the benchmark can tell
 * the JVM's share from the machine's.
 *
 *     cc -O3 -march=native -fopenmp -o native_floor native_floor.c
 *     native_floor MODEL.safetensors OUT.safetensors SPARSITY
 *
 * Maps the input; a histogram of |w| (the 15 bits below the sign, so exact for 16-bit floats) over every tensor of
 * rank 2 or more, on two threads, gives one global threshold; the k = round(S * n) smallest (half to even, as prune
 * counts) are zeroed while the file is written, ties broken by position in the file (prune breaks them in the
 * header's tensor order, which is the file's order in the files this project and the common tools write). The
 * output goes to a temporary file beside OUT with direct I/O (O_DIRECT, 4 MiB writes on a thread of its own while
 * the next buffer is masked; the buffered path where the file system refuses it), is forced to disk (fsync) and
 * renamed over OUT: the durability prune gives its exports. Its header is the input's, padded with spaces so that
 * the tensors start at a 4 KiB boundary. It does less than prune: no masks' hashes, no report, no checks of the
 * input beyond what it needs.
 *
 * Prints one JSON line: {"pruned", "threshold", "direct", "ms"}, ms from start to the file renamed.
 * Exit 2: a prunable tensor that is not BF16/F16, or an input it cannot read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <omp.h>

#define BUF_BYTES (4u << 20)
#define NBUF 3
#define ALIGN 4096

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void fail(const char *file, const char *what) {
    fprintf(stderr, "native_floor: %s: %s\n", file, what);
    exit(2);
}

/* One tensor's byte range inside the data section, and whether it is pruned. */
typedef struct { uint64_t begin, end; int prunable; } Span;

/* Finds the tensors in the header's JSON: for each object holding "dtype", its dtype, rank and data_offsets. */
static int parse_header(const char *h, size_t len, Span *spans, int max, const char *file) {
    int n = 0;
    const char *p = h, *end = h + len;
    while ((p = memmem(p, end - p, "\"dtype\"", 7)) != NULL) {
        const char *open = p;
        while (open > h && *open != '{') open--;
        const char *close = memchr(p, '}', end - p);
        if (!close || n == max) fail(file, "header not understood");
        const char *q = p + 7;
        while (q < close && (*q == ' ' || *q == ':')) q++;
        int two = strncmp(q, "\"BF16\"", 6) == 0 || strncmp(q, "\"F16\"", 5) == 0;
        const char *s = memmem(open, close - open, "\"shape\"", 7);
        const char *o = memmem(open, close - open, "\"data_offsets\"", 14);
        if (!s || !o) fail(file, "a tensor without shape or data_offsets");
        s = memchr(s, '[', close - s);
        int rank = 0, digits = 0;
        for (; s && *s != ']'; s++) {
            if (*s >= '0' && *s <= '9') digits = 1;
            if (*s == ',') rank++;
        }
        rank += digits;
        o = memchr(o, '[', close - o);
        unsigned long long b, e;
        if (!o || sscanf(o, "[ %llu , %llu ]", &b, &e) != 2) fail(file, "data_offsets not understood");
        spans[n].begin = b;
        spans[n].end = e;
        spans[n].prunable = rank >= 2;
        if (spans[n].prunable && !two) {
            fail(file, "a prunable tensor is not BF16 or F16 (the floor's cut is exact for 16-bit floats only)");
        }
        n++;
        p = close;
    }
    return n;
}

static int cmp_span(const void *a, const void *b) {
    uint64_t x = ((const Span *) a)->begin, y = ((const Span *) b)->begin;
    return x < y ? -1 : x > y;
}

/* The writing thread: takes filled buffers in order and writes them. */
typedef struct {
    int fd;
    uint8_t *buf[NBUF];
    size_t len[NBUF];
    int filled, written, done;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int error;
} Writer;

static void *drain(void *arg) {
    Writer *w = arg;
    for (int i = 0;; i++) {
        pthread_mutex_lock(&w->mu);
        while (w->filled == i && !w->done) pthread_cond_wait(&w->cv, &w->mu);
        if (w->filled == i) { pthread_mutex_unlock(&w->mu); return NULL; }
        pthread_mutex_unlock(&w->mu);
        int k = i % NBUF;
        size_t off = 0;
        while (off < w->len[k]) {
            ssize_t r = write(w->fd, w->buf[k] + off, w->len[k] - off);
            if (r <= 0) { w->error = errno ? errno : EIO; break; }
            off += r;
        }
        pthread_mutex_lock(&w->mu);
        w->written = i + 1;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
    }
}

/* Where [lo, hi) of the data section meets the spans: calls back per piece (span index, piece). */
static int ns;
static Span *spans_g;
static const uint8_t *data_g;
static uint16_t thr;

/* Ties (|w| == thr) in the prunable pieces of [lo, hi). */
static uint64_t count_ties(uint64_t lo, uint64_t hi) {
    uint64_t c = 0;
    for (int i = 0; i < ns; i++) {
        Span *s = &spans_g[i];
        if (!s->prunable || s->end <= lo || s->begin >= hi) continue;
        uint64_t a = s->begin > lo ? s->begin : lo, b = s->end < hi ? s->end : hi;
        const uint16_t *w = (const uint16_t *) (data_g + a);
        for (uint64_t j = 0, e = (b - a) / 2; j < e; j++) c += (w[j] & 0x7fff) == thr;
    }
    return c;
}

/* Copies [lo, hi) of the data section to dst, zeroing |w| < thr in prunable tensors and the ties whose rank among
 * all ties (starting at tie0) is below quota. */
static void mask(uint64_t lo, uint64_t hi, uint8_t *dst, uint64_t tie0, uint64_t quota) {
    uint64_t p = lo;
    for (int i = 0; i < ns && p < hi; i++) {
        Span *s = &spans_g[i];
        if (s->end <= p) continue;
        uint64_t a = s->begin > p ? s->begin : p, b = s->end < hi ? s->end : hi;
        if (a > p) { memcpy(dst + (p - lo), data_g + p, a - p); p = a; }
        if (a >= b) continue;
        if (!s->prunable) {
            memcpy(dst + (a - lo), data_g + a, b - a);
        } else {
            const uint16_t *w = (const uint16_t *) (data_g + a);
            uint16_t *d = (uint16_t *) (dst + (a - lo));
            uint64_t e = (b - a) / 2;
            if (tie0 < quota) {
                for (uint64_t j = 0; j < e; j++) {
                    uint16_t v = w[j], x = v & 0x7fff;
                    int zero = x < thr || (x == thr && tie0++ < quota);
                    d[j] = zero ? 0 : v;
                }
            } else {
                for (uint64_t j = 0; j < e; j++) { uint16_t v = w[j]; d[j] = (v & 0x7fff) < thr ? 0 : v; }
            }
        }
        p = b;
    }
    if (p < hi) memcpy(dst + (p - lo), data_g + p, hi - p);
}

int main(int argc, char **argv) {
    double t0 = now_ms();
    if (argc != 4) { fprintf(stderr, "usage: native_floor MODEL.safetensors OUT.safetensors SPARSITY\n"); return 64; }
    const char *in = argv[1], *out = argv[2];
    double sparsity = atof(argv[3]);
    int fd = open(in, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 8) fail(in, "cannot read");
    uint8_t *m = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) fail(in, "cannot map");
    uint64_t hlen;
    memcpy(&hlen, m, 8);
    if (hlen > (uint64_t) st.st_size - 8) fail(in, "header length past the end");
    static Span spans[1 << 16];
    ns = parse_header((const char *) m + 8, hlen, spans, 1 << 16, in);
    qsort(spans, ns, sizeof(Span), cmp_span);
    spans_g = spans;
    data_g = m + 8 + hlen;
    uint64_t data_bytes = st.st_size - 8 - hlen;
    uint64_t n = 0;
    for (int i = 0; i < ns; i++) {
        if (spans[i].end > data_bytes || spans[i].begin > spans[i].end) fail(in, "data_offsets past the end");
        if (spans[i].prunable && (spans[i].begin % 2 || spans[i].end % 2)) fail(in, "a 16-bit tensor at an odd offset");
        if (spans[i].prunable) n += (spans[i].end - spans[i].begin) / 2;
    }

    /* The histogram pass: two threads, each over its half of every prunable tensor. */
    static uint64_t hist[2][1 << 15];
    #pragma omp parallel num_threads(2)
    {
        int id = omp_get_thread_num(), nt = omp_get_num_threads();
        uint64_t *h = hist[id];
        for (int i = 0; i < ns; i++) {
            if (!spans[i].prunable) continue;
            const uint16_t *w = (const uint16_t *) (data_g + spans[i].begin);
            uint64_t e = (spans[i].end - spans[i].begin) / 2;
            uint64_t a = e * id / nt, b = e * (id + 1) / nt;
            for (uint64_t j = a; j < b; j++) h[w[j] & 0x7fff]++;
        }
    }
    /* k = round(S * n), half to even, as prune counts its budget. */
    double x = sparsity * (double) n;
    uint64_t k = (uint64_t) x, below = 0;
    if (x - (double) k > 0.5 || (x - (double) k == 0.5 && k % 2 == 1)) k++;
    int t = 0;
    for (; t < (1 << 15); t++) {
        uint64_t c = hist[0][t] + hist[1][t];
        if (below + c >= k) break;
        below += c;
    }
    thr = (uint16_t) t;
    uint64_t quota = k - below; /* ties to zero, first in file order */

    /* The output: the input's header padded with spaces so that the tensors start at a 4 KiB boundary. */
    size_t olen = strlen(out);
    char *tmp = malloc(olen + 32);
    snprintf(tmp, olen + 32, "%s.%d.part", out, (int) getpid());
    int direct = 1;
    int ofd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0644);
    if (ofd < 0 && errno == EINVAL) { direct = 0; ofd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644); }
    if (ofd < 0) fail(tmp, strerror(errno));
    uint64_t head = (8 + hlen + ALIGN - 1) / ALIGN * ALIGN;
    Writer w = {.fd = ofd, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    for (int i = 0; i < NBUF; i++) {
        if (posix_memalign((void **) &w.buf[i], ALIGN, BUF_BYTES)) fail(tmp, "out of memory");
    }
    uint64_t newlen = head - 8;
    memcpy(w.buf[0], &newlen, 8);
    memcpy(w.buf[0] + 8, m + 8, hlen);
    memset(w.buf[0] + 8 + hlen, ' ', head - 8 - hlen);
    w.len[0] = head;
    w.filled = 1;
    pthread_t writer;
    pthread_create(&writer, NULL, drain, &w);
    uint64_t tail_at = 0, tail_len = 0; /* the last partial block, written through the page cache */
    uint8_t *tail = NULL;
    for (uint64_t p = 0; p < data_bytes; p += BUF_BYTES) {
        uint64_t len = data_bytes - p < BUF_BYTES ? data_bytes - p : BUF_BYTES;
        int i = w.filled;
        pthread_mutex_lock(&w.mu);
        while (i - w.written >= NBUF) pthread_cond_wait(&w.cv, &w.mu);
        pthread_mutex_unlock(&w.mu);
        uint8_t *dst = w.buf[i % NBUF];
        uint64_t mid = p + (len / 2) / 2 * 2;
        uint64_t ties0 = quota > 0 ? count_ties(p, mid) : 0;
        uint64_t ties1 = 0;
        #pragma omp parallel sections num_threads(2)
        {
            #pragma omp section
            mask(p, mid, dst, 0, quota);
            #pragma omp section
            { if (quota > 0) ties1 = count_ties(mid, p + len); mask(mid, p + len, dst + (mid - p), ties0, quota); }
        }
        quota = ties0 + ties1 >= quota ? 0 : quota - ties0 - ties1;
        uint64_t whole = direct ? len / ALIGN * ALIGN : len;
        if (whole < len) {
            tail = malloc(len - whole);
            memcpy(tail, dst + whole, len - whole);
            tail_at = head + p + whole;
            tail_len = len - whole;
        }
        pthread_mutex_lock(&w.mu);
        w.len[i % NBUF] = whole;
        w.filled = i + 1;
        pthread_cond_broadcast(&w.cv);
        pthread_mutex_unlock(&w.mu);
    }
    pthread_mutex_lock(&w.mu);
    w.done = 1;
    pthread_cond_broadcast(&w.cv);
    pthread_mutex_unlock(&w.mu);
    pthread_join(writer, NULL);
    if (w.error) { unlink(tmp); fail(tmp, strerror(w.error)); }
    if (tail_len > 0) {
        int bfd = open(tmp, O_WRONLY);
        if (bfd < 0 || pwrite(bfd, tail, tail_len, tail_at) != (ssize_t) tail_len) {
            unlink(tmp);
            fail(tmp, "tail not written");
        }
        close(bfd);
    }
    if (fsync(ofd) != 0 || close(ofd) != 0 || rename(tmp, out) != 0) { unlink(tmp); fail(out, strerror(errno)); }
    printf("{\"pruned\": %llu, \"threshold\": %d, \"direct\": %s, \"ms\": %.1f}\n", (unsigned long long) k, t,
           direct ? "true" : "false", now_ms() - t0);
    return 0;
}
