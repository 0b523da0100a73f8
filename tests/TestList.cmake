# One line per test executable (tests/<name>.cpp).
xbt_add_test(test_util LIBS xbt_util)
xbt_add_test(test_batch_embedder LIBS xbt_embed Qt6::Gui)
xbt_add_test(test_image_preprocess LIBS xbt_image FIXTURES odd_images)
xbt_add_test(test_clip_tokenizer LIBS xbt_text CLI)
xbt_add_test(test_torchscript_model LIBS xbt_model xbt_text xbt_image FIXTURES clip_models CLI)
xbt_add_test(test_sample_world LIBS xbt_sample xbt_data Qt6::Gui CLI)
xbt_add_test(test_base_trainer LIBS xbt_train xbt_sample xbt_model TIMEOUT 600)
xbt_add_test(test_retrieval_recall LIBS xbt_eval)
