/*
 * record-url.exe URL: the web browser of the wine test prefix. scripts/test-windows.sh registers it as the handler of
 * http URLs, so that `ssocreds login` opening "the default browser" starts it; it writes the URL it was given,
 * as UTF-8, to the file named by SSOCREDS_TEST_URL_FILE and exits 0. Exit 2 on bad arguments, 3 when the variable
 * is not set or the file cannot be written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>

int wmain(int argc, wchar_t **argv)
{
    if (argc != 2) {
        fputs("usage: record-url URL\n", stderr);
        return 2;
    }
    const wchar_t *path = _wgetenv(L"SSOCREDS_TEST_URL_FILE");
    if (path == NULL) {
        fputs("record-url: SSOCREDS_TEST_URL_FILE is not set\n", stderr);
        return 3;
    }
    int size = WideCharToMultiByte(CP_UTF8, 0, argv[1], -1, NULL, 0, NULL, NULL);
    char *url = malloc(size > 0 ? size : 1);
    if (url == NULL || WideCharToMultiByte(CP_UTF8, 0, argv[1], -1, url, size, NULL, NULL) <= 0) {
        return 3;
    }
    FILE *file = _wfopen(path, L"wb");
    if (file == NULL) {
        return 3;
    }
    fwrite(url, 1, strlen(url), file);
    fclose(file);
    return 0;
}
