#include "CCurlShim.h"

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

curl_version_info_data *mq_curl_version_info(void) { return curl_version_info(CURLVERSION_NOW); }
