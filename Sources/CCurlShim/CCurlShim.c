#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include "CCurlShim.h"

/*
 * libcurl is opened at its first use (dlopen), not linked: it brings some thirty
 * libraries (TLS, LDAP, Kerberos, SSH, IDN...), and loading and relocating them was 7 ms
 * of the 21 ms that `mq -c 'let x = 1'` took, a statement that sends nothing. The
 * functions mq and its tests call are defined here under libcurl's own names and
 * forward to the library's; the variadic ones only through the typed wrappers below.
 * If the library cannot be opened, each returns its failure value and
 * mq_curl_load_error() says why.
 */
#if defined(__APPLE__)
#define MQ_LIBCURL "libcurl.4.dylib"
#else
#define MQ_LIBCURL "libcurl.so.4"
#endif

static struct {
    CURLcode (*global_init)(long);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_wakeup)(CURLM *);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    curl_version_info_data *(*version_info)(CURLversion);
} lib;
static int loaded;
static char load_error[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *h = dlopen(MQ_LIBCURL, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(load_error, sizeof load_error, "libcurl could not be loaded (%s): %s", MQ_LIBCURL, e ? e : "unknown error");
        return;
    }
#define FIND(field, name)                                                                          \
    if (!(*(void **)&lib.field = dlsym(h, name))) {                                                \
        snprintf(load_error, sizeof load_error, "libcurl (%s) has no %s: it is older than 7.68", \
                 MQ_LIBCURL, name);                                                                \
        return;                                                                                    \
    }
    FIND(global_init, "curl_global_init")
    FIND(multi_init, "curl_multi_init")
    FIND(multi_cleanup, "curl_multi_cleanup")
    FIND(multi_wakeup, "curl_multi_wakeup")
    FIND(multi_add_handle, "curl_multi_add_handle")
    FIND(multi_remove_handle, "curl_multi_remove_handle")
    FIND(multi_perform, "curl_multi_perform")
    FIND(multi_info_read, "curl_multi_info_read")
    FIND(multi_poll, "curl_multi_poll")
    FIND(multi_setopt, "curl_multi_setopt")
    FIND(easy_init, "curl_easy_init")
    FIND(easy_cleanup, "curl_easy_cleanup")
    FIND(easy_perform, "curl_easy_perform")
    FIND(easy_strerror, "curl_easy_strerror")
    FIND(easy_setopt, "curl_easy_setopt")
    FIND(easy_getinfo, "curl_easy_getinfo")
    FIND(slist_append, "curl_slist_append")
    FIND(slist_free_all, "curl_slist_free_all")
    FIND(version_info, "curl_version_info")
#undef FIND
    loaded = 1;
}

static int ready(void) {
    pthread_once(&once, load);
    return loaded;
}

const char *mq_curl_load_error(void) { return ready() ? NULL : load_error; }

CURLcode curl_global_init(long flags) { return ready() ? lib.global_init(flags) : CURLE_FAILED_INIT; }
CURLM *curl_multi_init(void) { return ready() ? lib.multi_init() : NULL; }
CURLMcode curl_multi_cleanup(CURLM *m) { return ready() ? lib.multi_cleanup(m) : CURLM_INTERNAL_ERROR; }
CURLMcode curl_multi_wakeup(CURLM *m) { return ready() ? lib.multi_wakeup(m) : CURLM_INTERNAL_ERROR; }
CURLMcode curl_multi_add_handle(CURLM *m, CURL *e) { return ready() ? lib.multi_add_handle(m, e) : CURLM_INTERNAL_ERROR; }
CURLMcode curl_multi_remove_handle(CURLM *m, CURL *e) { return ready() ? lib.multi_remove_handle(m, e) : CURLM_INTERNAL_ERROR; }
CURLMcode curl_multi_perform(CURLM *m, int *running) { return ready() ? lib.multi_perform(m, running) : CURLM_INTERNAL_ERROR; }
CURLMsg *curl_multi_info_read(CURLM *m, int *queued) { return ready() ? lib.multi_info_read(m, queued) : NULL; }
CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms, int *ret) {
    return ready() ? lib.multi_poll(m, extra_fds, extra_nfds, timeout_ms, ret) : CURLM_INTERNAL_ERROR;
}
CURL *curl_easy_init(void) { return ready() ? lib.easy_init() : NULL; }
void curl_easy_cleanup(CURL *e) {
    if (ready()) lib.easy_cleanup(e);
}
CURLcode curl_easy_perform(CURL *e) { return ready() ? lib.easy_perform(e) : CURLE_FAILED_INIT; }
const char *curl_easy_strerror(CURLcode code) { return ready() ? lib.easy_strerror(code) : load_error; }
struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s) {
    return ready() ? lib.slist_append(list, s) : NULL;
}
void curl_slist_free_all(struct curl_slist *list) {
    if (ready()) lib.slist_free_all(list);
}

/* The typed wrappers below call the variadic functions through the library's pointers. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_easy_setopt(h, o, v) (ready() ? lib.easy_setopt((h), (o), (v)) : CURLE_FAILED_INIT)
#define curl_easy_getinfo(h, i, v) (ready() ? lib.easy_getinfo((h), (i), (v)) : CURLE_FAILED_INIT)
#define curl_multi_setopt(m, o, v) (ready() ? lib.multi_setopt((m), (o), (v)) : CURLM_INTERNAL_ERROR)

CURLcode mq_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
CURLcode mq_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
CURLcode mq_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
CURLcode mq_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
CURLcode mq_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
CURLcode mq_curl_easy_setopt_write_function(CURL *handle, CURLoption option, mq_curl_write_callback fn) {
    return curl_easy_setopt(handle, option, fn);
}
CURLcode mq_curl_easy_setopt_xferinfo_function(CURL *handle, mq_curl_xferinfo_callback fn) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, fn);
}

CURLcode mq_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *out) {
    return curl_easy_getinfo(handle, info, out);
}
CURLcode mq_curl_easy_getinfo_double(CURL *handle, CURLINFO info, double *out) {
    return curl_easy_getinfo(handle, info, out);
}
CURLcode mq_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *out) {
    return curl_easy_getinfo(handle, info, out);
}
CURLcode mq_curl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **out) {
    return curl_easy_getinfo(handle, info, out);
}
CURLcode mq_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **out) {
    return curl_easy_getinfo(handle, info, out);
}

CURLMcode mq_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

CURLcode mq_curl_msg_result(const CURLMsg *msg) { return msg->data.result; }
CURL *mq_curl_msg_easy_handle(const CURLMsg *msg) { return msg->easy_handle; }
int mq_curl_msg_is_done(const CURLMsg *msg) { return msg->msg == CURLMSG_DONE; }

curl_version_info_data *mq_curl_version_info(void) { return ready() ? lib.version_info(CURLVERSION_NOW) : NULL; }
