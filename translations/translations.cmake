# Qt Linguist translations of the explorer, embedded into the twinseek executable under :/i18n.
# `cmake --build DIR --target update_translations` refreshes the .ts files from the sources (lupdate);
# the .qm files are made at build time (lrelease). English is the source language; twinseek_en.ts carries the
# plural forms and is complete, as is German.
qt_add_translations(twinseek
  TS_FILES ${PROJECT_SOURCE_DIR}/translations/twinseek_en.ts ${PROJECT_SOURCE_DIR}/translations/twinseek_de.ts
  SOURCES ${TWINSEEK_UI_TRANSLATABLE} ${PROJECT_SOURCE_DIR}/app/gui/main.cpp
  RESOURCE_PREFIX /i18n
  LUPDATE_OPTIONS -no-obsolete -locations none)
