// Debian's Lua 5.1 (the version Redis embeds) is a C library without C++ guards.
// Reminder for C API code here: lua_error() longjmps, so a function that
// raises must not have live C++ objects with destructors at that point.
#pragma once

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}
