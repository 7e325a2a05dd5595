#pragma once
/*
 * Typed wrappers for libcurl's variadic functions, which do not import into Swift.
 * One function per argument type; Swift calls these and never the variadic originals.
 */
#include <curl/curl.h>

typedef size_t (*mq_curl_write_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*mq_curl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                         curl_off_t ultotal, curl_off_t ulnow);

CURLcode mq_curl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode mq_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode mq_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode mq_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode mq_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode mq_curl_easy_setopt_write_function(CURL *handle, CURLoption option, mq_curl_write_callback fn);
CURLcode mq_curl_easy_setopt_xferinfo_function(CURL *handle, mq_curl_xferinfo_callback fn);

CURLcode mq_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *out);
CURLcode mq_curl_easy_getinfo_double(CURL *handle, CURLINFO info, double *out);
CURLcode mq_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *out);
CURLcode mq_curl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **out);
CURLcode mq_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **out);

CURLMcode mq_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/* Why libcurl could not be opened (it is opened at first use, CCurlShim.c), or NULL. */
const char *mq_curl_load_error(void);

/* curl_version_info(CURLVERSION_NOW): the macro does not import into Swift; NULL when
   libcurl could not be opened. */
curl_version_info_data *mq_curl_version_info(void);

/* CURLMsg keeps its result in a union that Swift cannot read directly. */
CURLcode mq_curl_msg_result(const CURLMsg *msg);
CURL *mq_curl_msg_easy_handle(const CURLMsg *msg);
int mq_curl_msg_is_done(const CURLMsg *msg);
