/*
 * hold-file.exe FILE SECONDS: opens FILE as an editor, an antivirus scan or a sync client may (read access, sharing
 * read only: no FILE_SHARE_WRITE, no FILE_SHARE_DELETE), prints "held" on stdout, keeps it open for SECONDS, then
 * closes it and exits 0. While it is open, Windows refuses to replace, rename over or delete the file. Used by the
 * wine tests (tests/tests/windows): wine enforces share modes only between wine processes, so the holder must be a
 * Windows program too. Exit 2 on bad arguments, 3 when the file cannot be opened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <windows.h>

int wmain(int argc, wchar_t **argv)
{
    if (argc != 3) {
        fputs("usage: hold-file FILE SECONDS\n", stderr);
        return 2;
    }
    double seconds = wcstod(argv[2], NULL);
    HANDLE file = CreateFileW(argv[1], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "hold-file: cannot open the file: error %lu\n", GetLastError());
        return 3;
    }
    fputs("held\n", stdout);
    fflush(stdout);
    Sleep((DWORD)(seconds * 1000.0));
    CloseHandle(file);
    return 0;
}
