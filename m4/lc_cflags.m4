# LC_CHECK_CFLAG(FLAG, ACTION-IF-OK, ACTION-IF-NOT, [EXTRA-FLAGS])
# Does the C compiler accept FLAG (together with EXTRA-FLAGS) without error?
AC_DEFUN([LC_CHECK_CFLAG], [
  AS_VAR_PUSHDEF([lc_cache], [lc_cv_cflag_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [lc_cache], [
    lc_save_cflags=$CFLAGS
    CFLAGS="$CFLAGS $4 $1"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [return 0;])],
                      [AS_VAR_SET([lc_cache], [yes])], [AS_VAR_SET([lc_cache], [no])])
    CFLAGS=$lc_save_cflags])
  AS_VAR_IF([lc_cache], [yes], [$2], [$3])
  AS_VAR_POPDEF([lc_cache])
])
