# One line per test executable (tests/<name>.cpp).
xbt_add_test(test_util LIBS xbt_util)
xbt_add_test(test_batch_embedder LIBS xbt_embed Qt6::Gui)
