# One line per test executable (tests/<name>.cpp).
xbt_add_test(test_util LIBS xbt_util)
