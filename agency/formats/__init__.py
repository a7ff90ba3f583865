"""The product's own date and number formats, where Django's differ from what people read
(``FORMAT_MODULE_PATH``)."""
