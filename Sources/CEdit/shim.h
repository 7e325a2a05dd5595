#pragma once
#include <stdio.h>
/* Always libedit's header: GNU readline's headers are also on the image (platform-notes.md). */
#include <editline/readline.h>
#include <histedit.h>
