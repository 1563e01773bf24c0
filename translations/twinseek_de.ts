<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>main</name>
    <message>
        <source>TwinSeek: reasoning text-to-video retrieval</source>
        <translation>TwinSeek: schlussfolgernde Text-zu-Video-Suche</translation>
    </message>
    <message>
        <source>Print the version and exit.</source>
        <translation>Version ausgeben und beenden.</translation>
    </message>
    <message>
        <source>Library to open.</source>
        <translation>Zu öffnende Bibliothek.</translation>
    </message>
    <message>
        <source>Run this query once the window is up.</source>
        <translation>Diese Anfrage ausführen, sobald das Fenster offen ist.</translation>
    </message>
    <message>
        <source>After the query finished and the first result is shown, save a PNG of the window and exit.</source>
        <translation>Nach der Anfrage, sobald das erste Ergebnis angezeigt wird, ein PNG des Fensters speichern und beenden.</translation>
    </message>
    <message>
        <source>Use this settings file instead of the user&apos;s.</source>
        <translation>Diese Einstellungsdatei statt der des Benutzers verwenden.</translation>
    </message>
    <message>
        <source>Interface language (en, de).</source>
        <translation>Sprache der Oberfläche (en, de).</translation>
    </message>
    <message>
        <source>Folders or videos to add.</source>
        <translation>Hinzuzufügende Ordner oder Videos.</translation>
    </message>
</context>
<context>
    <name>ts::AnnotatorController</name>
    <message>
        <source>No library is open: the annotation was not saved.</source>
        <translation>Keine Bibliothek geöffnet: die Annotation wurde nicht gespeichert.</translation>
    </message>
    <message>
        <source>Could not save the annotation: %1</source>
        <translation>Die Annotation konnte nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>Open a library first.</source>
        <translation>Öffnen Sie zuerst eine Bibliothek.</translation>
    </message>
    <message>
        <source>Open a query set first.</source>
        <translation>Öffnen Sie zuerst einen Anfragesatz.</translation>
    </message>
    <message>
        <source>Select a result to grade.</source>
        <translation>Wählen Sie ein Ergebnis zum Bewerten.</translation>
    </message>
    <message>
        <source>Grade %1 for %2 (%3)</source>
        <translation>Bewertung %1 für %2 (%3)</translation>
    </message>
    <message>
        <source>Reject %1</source>
        <translation>%1 ablehnen</translation>
    </message>
    <message>
        <source>Accept %1</source>
        <translation>%1 annehmen</translation>
    </message>
    <message>
        <source>Select a result of the current query first.</source>
        <translation>Wählen Sie zuerst ein Ergebnis der aktuellen Anfrage.</translation>
    </message>
    <message>
        <source>Ground-truth object #%1 in %2</source>
        <translation>Referenzobjekt #%1 in %2</translation>
    </message>
</context>
<context>
    <name>ts::AnnotatorPanel</name>
    <message>
        <source>Open Query Set…</source>
        <translation>Anfragesatz öffnen …</translation>
    </message>
    <message>
        <source>Run (Ctrl+Enter)</source>
        <translation>Ausführen (Strg+Eingabe)</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren …</translation>
    </message>
    <message>
        <source>&lt;b&gt;Keys&lt;/b&gt;: N/P next/previous query (runs it) · Ctrl+Enter run again · J/K next/previous result · 2/1/0 grade · A accept · R reject · click an object to mark it as ground truth · Ctrl+Z undo</source>
        <translation>&lt;b&gt;Tasten&lt;/b&gt;: N/P nächste/vorige Anfrage (wird ausgeführt) · Strg+Eingabe erneut ausführen · J/K nächstes/voriges Ergebnis · 2/1/0 bewerten · A annehmen · R ablehnen · Klick auf ein Objekt markiert es als Referenz · Strg+Z rückgängig</translation>
    </message>
    <message>
        <source>Query set:</source>
        <translation>Anfragesatz:</translation>
    </message>
    <message>
        <source>Query:</source>
        <translation>Anfrage:</translation>
    </message>
    <message>
        <source>Verdict:</source>
        <translation>Urteil:</translation>
    </message>
    <message>
        <source>Video:</source>
        <translation>Video:</translation>
    </message>
    <message>
        <source>Next query</source>
        <translation>Nächste Anfrage</translation>
    </message>
    <message>
        <source>Previous query</source>
        <translation>Vorige Anfrage</translation>
    </message>
    <message>
        <source>Next result</source>
        <translation>Nächstes Ergebnis</translation>
    </message>
    <message>
        <source>Previous result</source>
        <translation>Voriges Ergebnis</translation>
    </message>
    <message>
        <source>Grade 2 (correct)</source>
        <translation>Bewertung 2 (richtig)</translation>
    </message>
    <message>
        <source>Grade 1 (partial)</source>
        <translation>Bewertung 1 (teilweise)</translation>
    </message>
    <message>
        <source>Grade 0 (irrelevant)</source>
        <translation>Bewertung 0 (irrelevant)</translation>
    </message>
    <message>
        <source>Accept the query</source>
        <translation>Anfrage annehmen</translation>
    </message>
    <message>
        <source>Reject the query</source>
        <translation>Anfrage ablehnen</translation>
    </message>
    <message>
        <source>Run the query again</source>
        <translation>Anfrage erneut ausführen</translation>
    </message>
    <message>
        <source>none — open a query set (JSON Lines)</source>
        <translation>keiner — öffnen Sie einen Anfragesatz (JSON Lines)</translation>
    </message>
    <message>
        <source>%1 (%2 of %3)</source>
        <translation>%1 (%2 von %3)</translation>
    </message>
    <message>
        <source>Type: %1</source>
        <translation>Typ: %1</translation>
    </message>
    <message>
        <source>No graded videos (a no-answer control unless you grade one)</source>
        <translation>Keine bewerteten Videos (eine Kontrolle ohne Antwort, solange Sie keines bewerten)</translation>
    </message>
    <message>
        <source>Grades: %1</source>
        <translation>Bewertungen: %1</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>angenommen</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>not yet verified</source>
        <translation>noch nicht geprüft</translation>
    </message>
    <message>
        <source>select a result (J/K)</source>
        <translation>wählen Sie ein Ergebnis (J/K)</translation>
    </message>
    <message>
        <source>%1 — grade %2; ground truth: %3</source>
        <translation>%1 — Bewertung %2; Referenz: %3</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>no objects</source>
        <translation>keine Objekte</translation>
    </message>
</context>
<context>
    <name>ts::ExportDialog</name>
    <message>
        <source>COCO RLE JSON</source>
        <translation>COCO-RLE-JSON</translation>
    </message>
    <message>
        <source>DAVIS PNG folder (one mask per frame)</source>
        <translation>DAVIS-PNG-Ordner (eine Maske pro Bild)</translation>
    </message>
    <message>
        <source>SA-V masklet JSON</source>
        <translation>SA-V-Masklet-JSON</translation>
    </message>
    <message>
        <source>Export Masks of %1</source>
        <translation>Masken von %1 exportieren</translation>
    </message>
    <message>
        <source>Objects that satisfy the query</source>
        <translation>Objekte, die die Anfrage erfüllen</translation>
    </message>
    <message>
        <source>Tracks shown in the inspector</source>
        <translation>Im Inspektor angezeigte Spuren</translation>
    </message>
    <message>
        <source>All tracks</source>
        <translation>Alle Spuren</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen …</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <source>Objects:</source>
        <translation>Objekte:</translation>
    </message>
    <message>
        <source>Destination:</source>
        <translation>Ziel:</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Folder for the mask PNGs</source>
        <translation>Ordner für die Masken-PNGs</translation>
    </message>
    <message>
        <source>Export Masks</source>
        <translation>Masken exportieren</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Choose where to write the export.</source>
        <translation>Wählen Sie, wohin exportiert werden soll.</translation>
    </message>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation>Der Ordner %1 existiert nicht.</translation>
    </message>
    <message>
        <source>%1 exists and is not empty; choose a new folder name.</source>
        <translation>%1 existiert und ist nicht leer; wählen Sie einen neuen Ordnernamen.</translation>
    </message>
</context>
<context>
    <name>ts::FrameDecoder</name>
    <message>
        <source>frame %1 is past the end of the video</source>
        <translation>Bild %1 liegt hinter dem Ende des Videos</translation>
    </message>
</context>
<context>
    <name>ts::FrameView</name>
    <message>
        <source>#%1 %2 (%3, score %4)</source>
        <translation>#%1 %2 (%3, Wert %4)</translation>
    </message>
    <message>
        <source>%1: %2 (%3)</source>
        <translation>%1: %2 (%3)</translation>
    </message>
    <message>
        <source>depth: %1 (%2)</source>
        <translation>Tiefe: %1 (%2)</translation>
    </message>
    <message>
        <source>mask: %1</source>
        <translation>Maske: %1</translation>
    </message>
    <message>
        <source>Select a result or a video to inspect it</source>
        <translation>Wählen Sie ein Ergebnis oder ein Video, um es zu untersuchen</translation>
    </message>
</context>
<context>
    <name>ts::IngestQueue</name>
    <message>
        <source>Ingest %1</source>
        <translation>%1 einlesen</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>not a video: %1</source>
        <translation>kein Video: %1</translation>
    </message>
    <message>
        <source>no library is open</source>
        <translation>keine Bibliothek geöffnet</translation>
    </message>
</context>
<context>
    <name>ts::Inspector</name>
    <message>
        <source>Play</source>
        <translation>Abspielen</translation>
    </message>
    <message>
        <source>Play or pause (Space)</source>
        <translation>Abspielen oder anhalten (Leertaste)</translation>
    </message>
    <message>
        <source>Previous frame (Left)</source>
        <translation>Voriges Bild (Links)</translation>
    </message>
    <message>
        <source>Next frame (Right)</source>
        <translation>Nächstes Bild (Rechts)</translation>
    </message>
    <message>
        <source>Scrub through the video</source>
        <translation>Durch das Video fahren</translation>
    </message>
    <message>
        <source>Frame number (0-based)</source>
        <translation>Bildnummer (ab 0)</translation>
    </message>
    <message>
        <source>Mask opacity</source>
        <translation>Deckkraft der Masken</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>Beschriftungen</translation>
    </message>
    <message>
        <source>Tracks: untick to hide a mask; bold tracks satisfy the query</source>
        <translation>Spuren: Haken entfernen blendet eine Maske aus; fette Spuren erfüllen die Anfrage</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Keine</translation>
    </message>
    <message>
        <source>Query</source>
        <translation>Anfrage</translation>
    </message>
    <message>
        <source>Show only the objects that satisfy the query</source>
        <translation>Nur die Objekte zeigen, die die Anfrage erfüllen</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>Deckkraft</translation>
    </message>
    <message>
        <source>Tracks</source>
        <translation>Spuren</translation>
    </message>
    <message>
        <source>Cannot decode %1: %2</source>
        <translation>%1 kann nicht dekodiert werden: %2</translation>
    </message>
    <message>
        <source>%1 (loading…)</source>
        <translation>%1 (wird geladen …)</translation>
    </message>
    <message>
        <source>%1: cannot load the twin</source>
        <translation>%1: der Zwilling kann nicht geladen werden</translation>
    </message>
    <message numerus="yes">
        <source>%1 — %2×%3, %4 fps, %n frame(s)</source>
        <translation>
            <numerusform>%1 — %2×%3, %4 B/s, %n Bild</numerusform>
            <numerusform>%1 — %2×%3, %4 B/s, %n Bilder</numerusform>
        </translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
</context>
<context>
    <name>ts::LibraryModel</name>
    <message>
        <source>queued</source>
        <translation>wartend</translation>
    </message>
    <message>
        <source>ingesting</source>
        <translation>wird eingelesen</translation>
    </message>
    <message>
        <source>done</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>%1
%2</source>
        <translation>%1
%2</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>ingesting %1%</source>
        <translation>wird eingelesen %1 %</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Tracks</source>
        <translation>Spuren</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
</context>
<context>
    <name>ts::LibraryPanel</name>
    <message>
        <source>Add Folder…</source>
        <translation>Ordner hinzufügen …</translation>
    </message>
    <message>
        <source>Ingest every video in a folder and watch it for new files</source>
        <translation>Alle Videos eines Ordners einlesen und ihn auf neue Dateien überwachen</translation>
    </message>
    <message>
        <source>Add Files…</source>
        <translation>Dateien hinzufügen …</translation>
    </message>
    <message>
        <source>Re-ingest</source>
        <translation>Neu einlesen</translation>
    </message>
    <message>
        <source>Build the selected videos&apos; twins again</source>
        <translation>Die Zwillinge der gewählten Videos neu erstellen</translation>
    </message>
    <message>
        <source>Stop ingesting the selected videos</source>
        <translation>Einlesen der gewählten Videos abbrechen</translation>
    </message>
    <message>
        <source>Filter videos</source>
        <translation>Videos filtern</translation>
    </message>
    <message>
        <source>Watched folders: new videos in them are ingested automatically</source>
        <translation>Überwachte Ordner: neue Videos darin werden automatisch eingelesen</translation>
    </message>
    <message>
        <source>Stop Watching</source>
        <translation>Nicht mehr überwachen</translation>
    </message>
    <message>
        <source>Watched folders</source>
        <translation>Überwachte Ordner</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1: ingest cancelled</source>
        <translation>%1: Einlesen abgebrochen</translation>
    </message>
    <message>
        <source>%1 could not be ingested: %2</source>
        <translation>%1 konnte nicht eingelesen werden: %2</translation>
    </message>
    <message>
        <source>Add Folder</source>
        <translation>Ordner hinzufügen</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) queued from %1</source>
        <translation>
            <numerusform>%n Datei aus %1 eingereiht</numerusform>
            <numerusform>%n Dateien aus %1 eingereiht</numerusform>
        </translation>
    </message>
    <message>
        <source>Add Videos</source>
        <translation>Videos hinzufügen</translation>
    </message>
    <message>
        <source>Videos (*.mp4 *.m4v *.mov *.avi *.mkv *.webm *.mpg *.mpeg *.ts *.wmv *.ogv);;All files (*)</source>
        <translation>Videos (*.mp4 *.m4v *.mov *.avi *.mkv *.webm *.mpg *.mpeg *.ts *.wmv *.ogv);;Alle Dateien (*)</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) queued</source>
        <translation>
            <numerusform>%n Datei eingereiht</numerusform>
            <numerusform>%n Dateien eingereiht</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove %1 from the library? Its twin, annotations and search data are deleted; the video file stays.</source>
        <translation>%1 aus der Bibliothek entfernen? Zwilling, Annotationen und Suchdaten werden gelöscht; die Videodatei bleibt erhalten.</translation>
    </message>
    <message numerus="yes">
        <source>Remove %n videos from the library? Their twins, annotations and search data are deleted; the video files stay.</source>
        <translation>
            <numerusform>%n Video aus der Bibliothek entfernen? Zwilling, Annotationen und Suchdaten werden gelöscht; die Videodatei bleibt erhalten.</numerusform>
            <numerusform>%n Videos aus der Bibliothek entfernen? Zwillinge, Annotationen und Suchdaten werden gelöscht; die Videodateien bleiben erhalten.</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove Videos</source>
        <translation>Videos entfernen</translation>
    </message>
    <message>
        <source>Some videos could not be removed:
%1</source>
        <translation>Einige Videos konnten nicht entfernt werden:
%1</translation>
    </message>
    <message numerus="yes">
        <source>%n video(s) removed</source>
        <translation>
            <numerusform>%n Video entfernt</numerusform>
            <numerusform>%n Videos entfernt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) queued again</source>
        <translation>
            <numerusform>%n Datei erneut eingereiht</numerusform>
            <numerusform>%n Dateien erneut eingereiht</numerusform>
        </translation>
    </message>
    <message>
        <source>Ingest video files (Ctrl+I)</source>
        <translation>Videodateien einlesen (Strg+I)</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Entfernen …</translation>
    </message>
    <message>
        <source>Remove the selected videos from the library (Del)</source>
        <translation>Die gewählten Videos aus der Bibliothek entfernen (Entf)</translation>
    </message>
    <message>
        <source>Cancel Ingest</source>
        <translation>Einlesen abbrechen</translation>
    </message>
</context>
<context>
    <name>ts::MainWindow</name>
    <message>
        <source>TwinSeek</source>
        <translation>TwinSeek</translation>
    </message>
    <message>
        <source>Open a library and ask for what you are looking for.</source>
        <translation>Öffnen Sie eine Bibliothek und fragen Sie nach dem, was Sie suchen.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancel all ingests and exports</source>
        <translation>Alles Einlesen und Exportieren abbrechen</translation>
    </message>
    <message>
        <source>%1: done</source>
        <translation>%1: fertig</translation>
    </message>
    <message>
        <source>%1: cancelled</source>
        <translation>%1: abgebrochen</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>%1 failed:
%2</source>
        <translation>%1 ist fehlgeschlagen:
%2</translation>
    </message>
    <message>
        <source>Searching for “%1”…</source>
        <translation>Suche nach „%1“ …</translation>
    </message>
    <message>
        <source>Query “%1” cancelled</source>
        <translation>Anfrage „%1“ abgebrochen</translation>
    </message>
    <message>
        <source>The query “%1” failed: %2</source>
        <translation>Die Anfrage „%1“ ist fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Query failed: %1</source>
        <translation>Anfrage fehlgeschlagen: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n result(s) for “%1”</source>
        <translation>
            <numerusform>%n Ergebnis für „%1“</numerusform>
            <numerusform>%n Ergebnisse für „%1“</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> — library of %n video(s)</source>
        <translation>
            <numerusform> — Bibliothek mit %n Video</numerusform>
            <numerusform> — Bibliothek mit %n Videos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n rejected by the reasoner</source>
        <translation>
            <numerusform>, %n vom Schlussfolgerer verworfen</numerusform>
            <numerusform>, %n vom Schlussfolgerer verworfen</numerusform>
        </translation>
    </message>
    <message>
        <source>, %1 s</source>
        <translation>, %1 s</translation>
    </message>
    <message>
        <source>Open in Inspector</source>
        <translation>Im Inspektor öffnen</translation>
    </message>
    <message>
        <source>Export Masks…</source>
        <translation>Masken exportieren …</translation>
    </message>
    <message>
        <source>Export All Results…</source>
        <translation>Alle Ergebnisse exportieren …</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>Twin JSON — %1 #%2</source>
        <translation>Zwilling-JSON — %1 #%2</translation>
    </message>
    <message>
        <source>Library</source>
        <translation>Bibliothek</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>Inspektor</translation>
    </message>
    <message>
        <source>Annotator</source>
        <translation>Annotator</translation>
    </message>
    <message>
        <source>Click an object in the inspector to see its twin JSON.</source>
        <translation>Klicken Sie im Inspektor auf ein Objekt, um sein Zwilling-JSON zu sehen.</translation>
    </message>
    <message>
        <source>Twin JSON</source>
        <translation>Zwilling-JSON</translation>
    </message>
    <message>
        <source>The reasoning steps for the selected result; click a step with a frame to go there</source>
        <translation>Die Schlussfolgerungsschritte zum gewählten Ergebnis; ein Klick auf einen Schritt mit Bild springt dorthin</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>Schlussfolgerung</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Open Library…</source>
        <translation>Bibliothek ö&amp;ffnen …</translation>
    </message>
    <message>
        <source>Open or Create Library</source>
        <translation>Bibliothek öffnen oder anlegen</translation>
    </message>
    <message>
        <source>TwinSeek libraries (*.sqlite)</source>
        <translation>TwinSeek-Bibliotheken (*.sqlite)</translation>
    </message>
    <message>
        <source>&amp;Export Masks of Inspected Video…</source>
        <translation>Masken des untersuchten Videos &amp;exportieren …</translation>
    </message>
    <message>
        <source>Export &amp;Results…</source>
        <translation>&amp;Ergebnisse exportieren …</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen …</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederherstellen</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>&amp;Suchen …</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Annotator Mode</source>
        <translation>&amp;Annotationsmodus</translation>
    </message>
    <message>
        <source>Open &amp;Query Set…</source>
        <translation>&amp;Anfragesatz öffnen …</translation>
    </message>
    <message>
        <source>Reset &amp;Layout</source>
        <translation>&amp;Anordnung zurücksetzen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>&amp;Tastenkürzel</translation>
    </message>
    <message>
        <source>&amp;About TwinSeek</source>
        <translation>&amp;Über TwinSeek</translation>
    </message>
    <message>
        <source>About TwinSeek</source>
        <translation>Über TwinSeek</translation>
    </message>
    <message>
        <source>&lt;h3&gt;TwinSeek %1&lt;/h3&gt;&lt;p&gt;Reasoning text-to-video retrieval over digital twins of your videos: vision specialists describe every video, a language model splits your query into explicit conditions, paired text encoders find candidates and a reasoner checks them against the twins, refining them just in time.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;TwinSeek %1&lt;/h3&gt;&lt;p&gt;Schlussfolgernde Text-zu-Video-Suche über digitale Zwillinge Ihrer Videos: Bildverarbeitungs-Spezialisten beschreiben jedes Video, ein Sprachmodell zerlegt Ihre Anfrage in ausdrückliche Bedingungen, gepaarte Text-Encoder finden Kandidaten und ein Schlussfolgerer prüft sie an den Zwillingen und verfeinert diese bei Bedarf.&lt;/p&gt;</translation>
    </message>
    <message numerus="yes">
        <source>%n task(s) running</source>
        <translation>
            <numerusform>%n Aufgabe läuft</numerusform>
            <numerusform>%n Aufgaben laufen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n queued</source>
        <translation>
            <numerusform>, %n wartet</numerusform>
            <numerusform>, %n warten</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot open library</source>
        <translation>Bibliothek kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>%1 could not be opened:
%2</source>
        <translation>%1 konnte nicht geöffnet werden:
%2</translation>
    </message>
    <message>
        <source>TwinSeek — %1</source>
        <translation>TwinSeek — %1</translation>
    </message>
    <message numerus="yes">
        <source>Library %1 with %n video(s). Type a query above.</source>
        <translation>
            <numerusform>Bibliothek %1 mit %n Video. Geben Sie oben eine Anfrage ein.</numerusform>
            <numerusform>Bibliothek %1 mit %n Videos. Geben Sie oben eine Anfrage ein.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n new file(s) in watched folders queued</source>
        <translation>
            <numerusform>%n neue Datei in überwachten Ordnern eingereiht</numerusform>
            <numerusform>%n neue Dateien in überwachten Ordnern eingereiht</numerusform>
        </translation>
    </message>
    <message>
        <source>Open or create a library first (File &gt; Open Library).</source>
        <translation>Öffnen oder legen Sie zuerst eine Bibliothek an (Datei &gt; Bibliothek öffnen).</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) queued</source>
        <translation>
            <numerusform>%n Datei eingereiht</numerusform>
            <numerusform>%n Dateien eingereiht</numerusform>
        </translation>
    </message>
    <message>
        <source>Annotator mode: N/P step through queries, J/K through results, 2/1/0 grade, A/R accept/reject</source>
        <translation>Annotationsmodus: N/P durch die Anfragen, J/K durch die Ergebnisse, 2/1/0 bewerten, A/R annehmen/ablehnen</translation>
    </message>
    <message>
        <source> (frame %1)</source>
        <translation> (Bild %1)</translation>
    </message>
    <message>
        <source>%1…</source>
        <translation>%1 …</translation>
    </message>
    <message>
        <source>Open a video in the inspector first.</source>
        <translation>Öffnen Sie zuerst ein Video im Inspektor.</translation>
    </message>
    <message>
        <source>No track is shown: nothing to export.</source>
        <translation>Keine Spur wird angezeigt: nichts zu exportieren.</translation>
    </message>
    <message>
        <source>Export %1 (%2)</source>
        <translation>%1 exportieren (%2)</translation>
    </message>
    <message>
        <source>Run a query first: there are no results to export.</source>
        <translation>Führen Sie zuerst eine Anfrage aus: es gibt keine Ergebnisse zum Exportieren.</translation>
    </message>
    <message>
        <source>Folder for the results and their masks</source>
        <translation>Ordner für die Ergebnisse und ihre Masken</translation>
    </message>
    <message>
        <source>Export results of “%1”</source>
        <translation>Ergebnisse von „%1“ exportieren</translation>
    </message>
    <message>
        <source>Open Query Set</source>
        <translation>Anfragesatz öffnen</translation>
    </message>
    <message>
        <source>Query sets (*.jsonl *.json);;All files (*)</source>
        <translation>Anfragesätze (*.jsonl *.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Cannot open the query set</source>
        <translation>Der Anfragesatz kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>%1:
%2</source>
        <translation>%1:
%2</translation>
    </message>
    <message>
        <source>Query set loaded with problems</source>
        <translation>Anfragesatz mit Problemen geladen</translation>
    </message>
    <message>
        <source>Some lines were skipped or look wrong:
%1</source>
        <translation>Einige Zeilen wurden übersprungen oder sehen falsch aus:
%1</translation>
    </message>
    <message>
        <source>Export Verified Query Set</source>
        <translation>Geprüften Anfragesatz exportieren</translation>
    </message>
    <message>
        <source>Query sets (*.jsonl)</source>
        <translation>Anfragesätze (*.jsonl)</translation>
    </message>
    <message>
        <source>Export query set %1</source>
        <translation>Anfragesatz %1 exportieren</translation>
    </message>
    <message>
        <source>Settings saved; they apply to the next query and the next ingested video.</source>
        <translation>Einstellungen gespeichert; sie gelten für die nächste Anfrage und das nächste eingelesene Video.</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Everywhere&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+L&lt;/b&gt;, &lt;b&gt;Ctrl+F&lt;/b&gt;&lt;/td&gt;&lt;td&gt;type a query&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Enter&lt;/b&gt;&lt;/td&gt;&lt;td&gt;run the query&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Esc&lt;/b&gt;&lt;/td&gt;&lt;td&gt;cancel the running query&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+O&lt;/b&gt;&lt;/td&gt;&lt;td&gt;open or create a library&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+I&lt;/b&gt;&lt;/td&gt;&lt;td&gt;add videos&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Del&lt;/b&gt;&lt;/td&gt;&lt;td&gt;remove the selected videos (asks first)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+E&lt;/b&gt;&lt;/td&gt;&lt;td&gt;export the inspected video&apos;s masks&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+Shift+E&lt;/b&gt;&lt;/td&gt;&lt;td&gt;export all results&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+Shift+A&lt;/b&gt;&lt;/td&gt;&lt;td&gt;annotator mode&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h3&gt;Inspector&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Space&lt;/b&gt;&lt;/td&gt;&lt;td&gt;play / pause&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Left&lt;/b&gt;, &lt;b&gt;Right&lt;/b&gt;&lt;/td&gt;&lt;td&gt;previous / next frame&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Shift+Left&lt;/b&gt;, &lt;b&gt;Shift+Right&lt;/b&gt;&lt;/td&gt;&lt;td&gt;one second back / forward&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Home&lt;/b&gt;, &lt;b&gt;End&lt;/b&gt;&lt;/td&gt;&lt;td&gt;first / last frame&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h3&gt;Annotator mode&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;N&lt;/b&gt;, &lt;b&gt;P&lt;/b&gt;&lt;/td&gt;&lt;td&gt;next / previous query (runs it)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;J&lt;/b&gt;, &lt;b&gt;K&lt;/b&gt;&lt;/td&gt;&lt;td&gt;next / previous result&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;2&lt;/b&gt;, &lt;b&gt;1&lt;/b&gt;, &lt;b&gt;0&lt;/b&gt;&lt;/td&gt;&lt;td&gt;grade the result: correct, partial, irrelevant&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;A&lt;/b&gt;, &lt;b&gt;R&lt;/b&gt;&lt;/td&gt;&lt;td&gt;accept / reject the query&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;click an object&lt;/td&gt;&lt;td&gt;mark or unmark it as ground truth&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+Z&lt;/b&gt;, &lt;b&gt;Ctrl+Shift+Z&lt;/b&gt;&lt;/td&gt;&lt;td&gt;undo / redo&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;h3&gt;Überall&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Strg+L&lt;/b&gt;, &lt;b&gt;Strg+F&lt;/b&gt;&lt;/td&gt;&lt;td&gt;Anfrage eingeben&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Eingabe&lt;/b&gt;&lt;/td&gt;&lt;td&gt;Anfrage ausführen&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Esc&lt;/b&gt;&lt;/td&gt;&lt;td&gt;laufende Anfrage abbrechen&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Strg+O&lt;/b&gt;&lt;/td&gt;&lt;td&gt;Bibliothek öffnen oder anlegen&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Strg+I&lt;/b&gt;&lt;/td&gt;&lt;td&gt;Videos hinzufügen&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Entf&lt;/b&gt;&lt;/td&gt;&lt;td&gt;gewählte Videos entfernen (mit Rückfrage)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Strg+E&lt;/b&gt;&lt;/td&gt;&lt;td&gt;Masken des untersuchten Videos exportieren&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Strg+Umschalt+E&lt;/b&gt;&lt;/td&gt;&lt;td&gt;alle Ergebnisse exportieren&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Strg+Umschalt+A&lt;/b&gt;&lt;/td&gt;&lt;td&gt;Annotationsmodus&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h3&gt;Inspektor&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Leertaste&lt;/b&gt;&lt;/td&gt;&lt;td&gt;abspielen / anhalten&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Links&lt;/b&gt;, &lt;b&gt;Rechts&lt;/b&gt;&lt;/td&gt;&lt;td&gt;voriges / nächstes Bild&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Umschalt+Links&lt;/b&gt;, &lt;b&gt;Umschalt+Rechts&lt;/b&gt;&lt;/td&gt;&lt;td&gt;eine Sekunde zurück / vor&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Pos1&lt;/b&gt;, &lt;b&gt;Ende&lt;/b&gt;&lt;/td&gt;&lt;td&gt;erstes / letztes Bild&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h3&gt;Annotationsmodus&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;N&lt;/b&gt;, &lt;b&gt;P&lt;/b&gt;&lt;/td&gt;&lt;td&gt;nächste / vorige Anfrage (wird ausgeführt)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;J&lt;/b&gt;, &lt;b&gt;K&lt;/b&gt;&lt;/td&gt;&lt;td&gt;nächstes / voriges Ergebnis&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;2&lt;/b&gt;, &lt;b&gt;1&lt;/b&gt;, &lt;b&gt;0&lt;/b&gt;&lt;/td&gt;&lt;td&gt;Ergebnis bewerten: richtig, teilweise, irrelevant&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;A&lt;/b&gt;, &lt;b&gt;R&lt;/b&gt;&lt;/td&gt;&lt;td&gt;Anfrage annehmen / ablehnen&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Klick auf ein Objekt&lt;/td&gt;&lt;td&gt;als Referenz markieren oder Markierung aufheben&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Strg+Z&lt;/b&gt;, &lt;b&gt;Strg+Umschalt+Z&lt;/b&gt;&lt;/td&gt;&lt;td&gt;rückgängig / wiederherstellen&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
</context>
<context>
    <name>ts::QueryBar</name>
    <message>
        <source>Describe what you are looking for, e.g. “the animal that hibernates, walking on rocks”</source>
        <translation>Beschreiben Sie, was Sie suchen, z. B. „das Tier, das Winterschlaf hält, läuft über Felsen“</translation>
    </message>
    <message>
        <source>Query (Ctrl+L); the arrow opens the history</source>
        <translation>Anfrage (Strg+L); der Pfeil öffnet den Verlauf</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <source>Run the query (Enter)</source>
        <translation>Anfrage ausführen (Eingabe)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop the running query (Esc)</source>
        <translation>Laufende Anfrage abbrechen (Esc)</translation>
    </message>
    <message>
        <source>Results:</source>
        <translation>Ergebnisse:</translation>
    </message>
    <message>
        <source>Decompose the query (QD)</source>
        <translation>Anfrage zerlegen (QD)</translation>
    </message>
    <message>
        <source>Compositional alignment (CA)</source>
        <translation>Kompositionelle Zuordnung (CA)</translation>
    </message>
    <message>
        <source>Reasoning rerank (LR)</source>
        <translation>Neuordnung durch Schlussfolgern (LR)</translation>
    </message>
    <message>
        <source>Just-in-time refinement (JiT)</source>
        <translation>Verfeinerung bei Bedarf (JiT)</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Optionen</translation>
    </message>
    <message>
        <source>object</source>
        <translation>Objekt</translation>
    </message>
    <message>
        <source>attribute</source>
        <translation>Eigenschaft</translation>
    </message>
    <message>
        <source>spatial relation</source>
        <translation>räumliche Beziehung</translation>
    </message>
    <message>
        <source>temporal relation</source>
        <translation>zeitliche Beziehung</translation>
    </message>
    <message>
        <source>count</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <source>scene</source>
        <translation>Szene</translation>
    </message>
    <message>
        <source>action</source>
        <translation>Handlung</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Suche läuft …</translation>
    </message>
    <message>
        <source>%1 (not)</source>
        <translation>%1 (nicht)</translation>
    </message>
    <message>
        <source>Kind: %1</source>
        <translation>Art: %1</translation>
    </message>
    <message>
        <source>Weight: %1</source>
        <translation>Gewicht: %1</translation>
    </message>
    <message>
        <source>Concepts: %1</source>
        <translation>Begriffe: %1</translation>
    </message>
    <message>
        <source>decomposed by %1</source>
        <translation>zerlegt von %1</translation>
    </message>
</context>
<context>
    <name>ts::QueryRunner</name>
    <message>
        <source>Open or create a library first.</source>
        <translation>Öffnen oder legen Sie zuerst eine Bibliothek an.</translation>
    </message>
    <message>
        <source>No retrieval engine is available in this build.</source>
        <translation>In dieser Version ist keine Suchmaschine verfügbar.</translation>
    </message>
</context>
<context>
    <name>ts::ResultDelegate</name>
    <message>
        <source>no preview</source>
        <translation>keine Vorschau</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>wird geladen …</translation>
    </message>
    <message>
        <source>no grounded objects</source>
        <translation>keine verorteten Objekte</translation>
    </message>
</context>
<context>
    <name>ts::ResultsModel</name>
    <message>
        <source>%1 — rank %2, score %3</source>
        <translation>%1 — Rang %2, Wert %3</translation>
    </message>
    <message>
        <source>Reasoning relevance %1 (%2)</source>
        <translation>Relevanz laut Schlussfolgerung %1 (%2)</translation>
    </message>
    <message>
        <source>Coarse score %1</source>
        <translation>Grobwert %1</translation>
    </message>
    <message>
        <source>✓ %1</source>
        <translation>✓ %1</translation>
    </message>
    <message>
        <source>✗ %1</source>
        <translation>✗ %1</translation>
    </message>
    <message>
        <source>Object #%1 %2</source>
        <translation>Objekt #%1 %2</translation>
    </message>
</context>
<context>
    <name>ts::SettingsDialog</name>
    <message>
        <source>Query decomposition (LLM)</source>
        <translation>Zerlegung der Anfrage (LLM)</translation>
    </message>
    <message>
        <source>Reasoning rerank (LLM)</source>
        <translation>Neuordnung durch Schlussfolgern (LLM)</translation>
    </message>
    <message>
        <source>Frame description (VLM)</source>
        <translation>Bildbeschreibung (VLM)</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Each role can use its own server. A role without a server uses TwinSeek&apos;s built-in reasoning. API keys are read from an environment variable or from a file only you can read; they are never stored in the settings.</source>
        <translation>Jede Rolle kann ihren eigenen Server verwenden. Eine Rolle ohne Server nutzt das eingebaute Schlussfolgern von TwinSeek. API-Schlüssel werden aus einer Umgebungsvariablen oder aus einer nur für Sie lesbaren Datei gelesen; sie werden nie in den Einstellungen gespeichert.</translation>
    </message>
    <message>
        <source>Language Models</source>
        <translation>Sprachmodelle</translation>
    </message>
    <message>
        <source>Best available</source>
        <translation>Bestes verfügbares</translation>
    </message>
    <message>
        <source>%1 (not installed)</source>
        <translation>%1 (nicht installiert)</translation>
    </message>
    <message>
        <source>Manifests with problems:
%1</source>
        <translation>Manifeste mit Problemen:
%1</translation>
    </message>
    <message>
        <source>Vision Models</source>
        <translation>Bildmodelle</translation>
    </message>
    <message>
        <source> fps</source>
        <translation> B/s</translation>
    </message>
    <message>
        <source>How many frames per second the detectors analyse (SA-V annotates at 6)</source>
        <translation>Wie viele Bilder pro Sekunde die Detektoren auswerten (SA-V annotiert mit 6)</translation>
    </message>
    <message>
        <source>Videos ingested at once and threads per model</source>
        <translation>Gleichzeitig eingelesene Videos und Threads pro Modell</translation>
    </message>
    <message>
        <source>Sampling rate:</source>
        <translation>Abtastrate:</translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation>Threads:</translation>
    </message>
    <message>
        <source>Ingest</source>
        <translation>Einlesen</translation>
    </message>
    <message>
        <source>OpenAI-compatible</source>
        <translation>OpenAI-kompatibel</translation>
    </message>
    <message>
        <source>Ollama</source>
        <translation>Ollama</translation>
    </message>
    <message>
        <source>e.g. OPENAI_API_KEY</source>
        <translation>z. B. OPENAI_API_KEY</translation>
    </message>
    <message>
        <source>a file readable only by you (chmod 600)</source>
        <translation>eine nur für Sie lesbare Datei (chmod 600)</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Test Connection</source>
        <translation>Verbindung testen</translation>
    </message>
    <message>
        <source>URL:</source>
        <translation>URL:</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Modell:</translation>
    </message>
    <message>
        <source>Protocol:</source>
        <translation>Protokoll:</translation>
    </message>
    <message>
        <source>API key variable:</source>
        <translation>Variable mit API-Schlüssel:</translation>
    </message>
    <message>
        <source>or key file:</source>
        <translation>oder Schlüsseldatei:</translation>
    </message>
    <message>
        <source>Timeout:</source>
        <translation>Zeitlimit:</translation>
    </message>
    <message>
        <source>Key File</source>
        <translation>Schlüsseldatei</translation>
    </message>
    <message>
        <source>Enable the role first.</source>
        <translation>Aktivieren Sie zuerst die Rolle.</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>Wird getestet …</translation>
    </message>
    <message>
        <source>✓ The server answered.</source>
        <translation>✓ Der Server hat geantwortet.</translation>
    </message>
    <message>
        <source>✗ %1</source>
        <translation>✗ %1</translation>
    </message>
    <message>
        <source>Object detector:</source>
        <translation>Objektdetektor:</translation>
    </message>
    <message>
        <source>Classifier:</source>
        <translation>Klassifikator:</translation>
    </message>
    <message>
        <source>Mask model:</source>
        <translation>Maskenmodell:</translation>
    </message>
    <message>
        <source>Salient objects:</source>
        <translation>Auffällige Objekte:</translation>
    </message>
    <message>
        <source>Depth:</source>
        <translation>Tiefe:</translation>
    </message>
</context>
<context>
    <name>ts::Timeline</name>
    <message>
        <source>No video</source>
        <translation>Kein Video</translation>
    </message>
    <message>
        <source>time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>reasoning</source>
        <translation>Schlussfolgern</translation>
    </message>
    <message>
        <source>query</source>
        <translation>Anfrage</translation>
    </message>
    <message>
        <source>%1 at frame %2
%3</source>
        <translation>%1 bei Bild %2
%3</translation>
    </message>
    <message>
        <source>#%1 %2: frames %3–%4</source>
        <translation>#%1 %2: Bilder %3–%4</translation>
    </message>
    <message>
        <source>frame %1</source>
        <translation>Bild %1</translation>
    </message>
</context>
<context>
    <name>ts::TrackModel</name>
    <message>
        <source>Track #%1: %2 (%3)</source>
        <translation>Spur #%1: %2 (%3)</translation>
    </message>
    <message>
        <source>Frames %1–%2, %3 observations</source>
        <translation>Bilder %1–%2, %3 Beobachtungen</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Satisfies the query</source>
        <translation>Erfüllt die Anfrage</translation>
    </message>
    <message>
        <source>Ground truth (annotator)</source>
        <translation>Referenz (Annotation)</translation>
    </message>
</context>
</TS>
