<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>main</name>
    <message>
        <source>TwinSeek: reasoning text-to-video retrieval</source>
        <translation>TwinSeek: reasoning text-to-video retrieval</translation>
    </message>
    <message>
        <source>Print the version and exit.</source>
        <translation>Print the version and exit.</translation>
    </message>
    <message>
        <source>Library to open.</source>
        <translation>Library to open.</translation>
    </message>
    <message>
        <source>Run this query once the window is up.</source>
        <translation>Run this query once the window is up.</translation>
    </message>
    <message>
        <source>After the query finished and the first result is shown, save a PNG of the window and exit.</source>
        <translation>After the query finished and the first result is shown, save a PNG of the window and exit.</translation>
    </message>
    <message>
        <source>Use this settings file instead of the user&apos;s.</source>
        <translation>Use this settings file instead of the user&apos;s.</translation>
    </message>
    <message>
        <source>Interface language (en, de).</source>
        <translation>Interface language (en, de).</translation>
    </message>
    <message>
        <source>Folders or videos to add.</source>
        <translation>Folders or videos to add.</translation>
    </message>
</context>
<context>
    <name>ts::AnnotatorController</name>
    <message>
        <source>No library is open: the annotation was not saved.</source>
        <translation>No library is open: the annotation was not saved.</translation>
    </message>
    <message>
        <source>Could not save the annotation: %1</source>
        <translation>Could not save the annotation: %1</translation>
    </message>
    <message>
        <source>Open a library first.</source>
        <translation>Open a library first.</translation>
    </message>
    <message>
        <source>Open a query set first.</source>
        <translation>Open a query set first.</translation>
    </message>
    <message>
        <source>Select a result to grade.</source>
        <translation>Select a result to grade.</translation>
    </message>
    <message>
        <source>Grade %1 for %2 (%3)</source>
        <translation>Grade %1 for %2 (%3)</translation>
    </message>
    <message>
        <source>Reject %1</source>
        <translation>Reject %1</translation>
    </message>
    <message>
        <source>Accept %1</source>
        <translation>Accept %1</translation>
    </message>
    <message>
        <source>Select a result of the current query first.</source>
        <translation>Select a result of the current query first.</translation>
    </message>
    <message>
        <source>Ground-truth object #%1 in %2</source>
        <translation>Ground-truth object #%1 in %2</translation>
    </message>
</context>
<context>
    <name>ts::AnnotatorPanel</name>
    <message>
        <source>Open Query Set…</source>
        <translation>Open Query Set…</translation>
    </message>
    <message>
        <source>Run (Ctrl+Enter)</source>
        <translation>Run (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Export…</translation>
    </message>
    <message>
        <source>&lt;b&gt;Keys&lt;/b&gt;: N/P next/previous query (runs it) · Ctrl+Enter run again · J/K next/previous result · 2/1/0 grade · A accept · R reject · click an object to mark it as ground truth · Ctrl+Z undo</source>
        <translation>&lt;b&gt;Keys&lt;/b&gt;: N/P next/previous query (runs it) · Ctrl+Enter run again · J/K next/previous result · 2/1/0 grade · A accept · R reject · click an object to mark it as ground truth · Ctrl+Z undo</translation>
    </message>
    <message>
        <source>Query set:</source>
        <translation>Query set:</translation>
    </message>
    <message>
        <source>Query:</source>
        <translation>Query:</translation>
    </message>
    <message>
        <source>Verdict:</source>
        <translation>Verdict:</translation>
    </message>
    <message>
        <source>Video:</source>
        <translation>Video:</translation>
    </message>
    <message>
        <source>Next query</source>
        <translation>Next query</translation>
    </message>
    <message>
        <source>Previous query</source>
        <translation>Previous query</translation>
    </message>
    <message>
        <source>Next result</source>
        <translation>Next result</translation>
    </message>
    <message>
        <source>Previous result</source>
        <translation>Previous result</translation>
    </message>
    <message>
        <source>Grade 2 (correct)</source>
        <translation>Grade 2 (correct)</translation>
    </message>
    <message>
        <source>Grade 1 (partial)</source>
        <translation>Grade 1 (partial)</translation>
    </message>
    <message>
        <source>Grade 0 (irrelevant)</source>
        <translation>Grade 0 (irrelevant)</translation>
    </message>
    <message>
        <source>Accept the query</source>
        <translation>Accept the query</translation>
    </message>
    <message>
        <source>Reject the query</source>
        <translation>Reject the query</translation>
    </message>
    <message>
        <source>Run the query again</source>
        <translation>Run the query again</translation>
    </message>
    <message>
        <source>none — open a query set (JSON Lines)</source>
        <translation>none — open a query set (JSON Lines)</translation>
    </message>
    <message>
        <source>%1 (%2 of %3)</source>
        <translation>%1 (%2 of %3)</translation>
    </message>
    <message>
        <source>Type: %1</source>
        <translation>Type: %1</translation>
    </message>
    <message>
        <source>No graded videos (a no-answer control unless you grade one)</source>
        <translation>No graded videos (a no-answer control unless you grade one)</translation>
    </message>
    <message>
        <source>Grades: %1</source>
        <translation>Grades: %1</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>accepted</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>rejected</translation>
    </message>
    <message>
        <source>not yet verified</source>
        <translation>not yet verified</translation>
    </message>
    <message>
        <source>select a result (J/K)</source>
        <translation>select a result (J/K)</translation>
    </message>
    <message>
        <source>%1 — grade %2; ground truth: %3</source>
        <translation>%1 — grade %2; ground truth: %3</translation>
    </message>
    <message>
        <source>none</source>
        <translation>none</translation>
    </message>
    <message>
        <source>no objects</source>
        <translation>no objects</translation>
    </message>
</context>
<context>
    <name>ts::ExportDialog</name>
    <message>
        <source>COCO RLE JSON</source>
        <translation>COCO RLE JSON</translation>
    </message>
    <message>
        <source>DAVIS PNG folder (one mask per frame)</source>
        <translation>DAVIS PNG folder (one mask per frame)</translation>
    </message>
    <message>
        <source>SA-V masklet JSON</source>
        <translation>SA-V masklet JSON</translation>
    </message>
    <message>
        <source>Export Masks of %1</source>
        <translation>Export Masks of %1</translation>
    </message>
    <message>
        <source>Objects that satisfy the query</source>
        <translation>Objects that satisfy the query</translation>
    </message>
    <message>
        <source>Tracks shown in the inspector</source>
        <translation>Tracks shown in the inspector</translation>
    </message>
    <message>
        <source>All tracks</source>
        <translation>All tracks</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <source>Objects:</source>
        <translation>Objects:</translation>
    </message>
    <message>
        <source>Destination:</source>
        <translation>Destination:</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>Folder for the mask PNGs</source>
        <translation>Folder for the mask PNGs</translation>
    </message>
    <message>
        <source>Export Masks</source>
        <translation>Export Masks</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Choose where to write the export.</source>
        <translation>Choose where to write the export.</translation>
    </message>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation>The folder %1 does not exist.</translation>
    </message>
    <message>
        <source>%1 exists and is not empty; choose a new folder name.</source>
        <translation>%1 exists and is not empty; choose a new folder name.</translation>
    </message>
</context>
<context>
    <name>ts::FrameDecoder</name>
    <message>
        <source>frame %1 is past the end of the video</source>
        <translation>frame %1 is past the end of the video</translation>
    </message>
</context>
<context>
    <name>ts::FrameView</name>
    <message>
        <source>#%1 %2 (%3, score %4)</source>
        <translation>#%1 %2 (%3, score %4)</translation>
    </message>
    <message>
        <source>%1: %2 (%3)</source>
        <translation>%1: %2 (%3)</translation>
    </message>
    <message>
        <source>depth: %1 (%2)</source>
        <translation>depth: %1 (%2)</translation>
    </message>
    <message>
        <source>mask: %1</source>
        <translation>mask: %1</translation>
    </message>
    <message>
        <source>Select a result or a video to inspect it</source>
        <translation>Select a result or a video to inspect it</translation>
    </message>
</context>
<context>
    <name>ts::IngestQueue</name>
    <message>
        <source>Ingest %1</source>
        <translation>Ingest %1</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>cancelled</translation>
    </message>
    <message>
        <source>not a video: %1</source>
        <translation>not a video: %1</translation>
    </message>
    <message>
        <source>no library is open</source>
        <translation>no library is open</translation>
    </message>
</context>
<context>
    <name>ts::Inspector</name>
    <message>
        <source>Play</source>
        <translation>Play</translation>
    </message>
    <message>
        <source>Play or pause (Space)</source>
        <translation>Play or pause (Space)</translation>
    </message>
    <message>
        <source>Previous frame (Left)</source>
        <translation>Previous frame (Left)</translation>
    </message>
    <message>
        <source>Next frame (Right)</source>
        <translation>Next frame (Right)</translation>
    </message>
    <message>
        <source>Scrub through the video</source>
        <translation>Scrub through the video</translation>
    </message>
    <message>
        <source>Frame number (0-based)</source>
        <translation>Frame number (0-based)</translation>
    </message>
    <message>
        <source>Mask opacity</source>
        <translation>Mask opacity</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>Labels</translation>
    </message>
    <message>
        <source>Tracks: untick to hide a mask; bold tracks satisfy the query</source>
        <translation>Tracks: untick to hide a mask; bold tracks satisfy the query</translation>
    </message>
    <message>
        <source>All</source>
        <translation>All</translation>
    </message>
    <message>
        <source>None</source>
        <translation>None</translation>
    </message>
    <message>
        <source>Query</source>
        <translation>Query</translation>
    </message>
    <message>
        <source>Show only the objects that satisfy the query</source>
        <translation>Show only the objects that satisfy the query</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>Opacity</translation>
    </message>
    <message>
        <source>Tracks</source>
        <translation>Tracks</translation>
    </message>
    <message>
        <source>Cannot decode %1: %2</source>
        <translation>Cannot decode %1: %2</translation>
    </message>
    <message>
        <source>%1 (loading…)</source>
        <translation>%1 (loading…)</translation>
    </message>
    <message>
        <source>%1: cannot load the twin</source>
        <translation>%1: cannot load the twin</translation>
    </message>
    <message numerus="yes">
        <source>%1 — %2×%3, %4 fps, %n frame(s)</source>
        <translation>
            <numerusform>%1 — %2×%3, %4 fps, %n frame</numerusform>
            <numerusform>%1 — %2×%3, %4 fps, %n frames</numerusform>
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
        <translation>queued</translation>
    </message>
    <message>
        <source>ingesting</source>
        <translation>ingesting</translation>
    </message>
    <message>
        <source>done</source>
        <translation>done</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>failed</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>cancelled</translation>
    </message>
    <message>
        <source>%1
%2</source>
        <translation>%1
%2</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>failed: %1</translation>
    </message>
    <message>
        <source>ingesting %1%</source>
        <translation>ingesting %1%</translation>
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
        <translation>Duration</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Size</translation>
    </message>
    <message>
        <source>Tracks</source>
        <translation>Tracks</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Path</translation>
    </message>
</context>
<context>
    <name>ts::LibraryPanel</name>
    <message>
        <source>Add Folder…</source>
        <translation>Add Folder…</translation>
    </message>
    <message>
        <source>Ingest every video in a folder and watch it for new files</source>
        <translation>Ingest every video in a folder and watch it for new files</translation>
    </message>
    <message>
        <source>Add Files…</source>
        <translation>Add Files…</translation>
    </message>
    <message>
        <source>Re-ingest</source>
        <translation>Re-ingest</translation>
    </message>
    <message>
        <source>Build the selected videos&apos; twins again</source>
        <translation>Build the selected videos&apos; twins again</translation>
    </message>
    <message>
        <source>Stop ingesting the selected videos</source>
        <translation>Stop ingesting the selected videos</translation>
    </message>
    <message>
        <source>Filter videos</source>
        <translation>Filter videos</translation>
    </message>
    <message>
        <source>Watched folders: new videos in them are ingested automatically</source>
        <translation>Watched folders: new videos in them are ingested automatically</translation>
    </message>
    <message>
        <source>Stop Watching</source>
        <translation>Stop Watching</translation>
    </message>
    <message>
        <source>Watched folders</source>
        <translation>Watched folders</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1: ingest cancelled</source>
        <translation>%1: ingest cancelled</translation>
    </message>
    <message>
        <source>%1 could not be ingested: %2</source>
        <translation>%1 could not be ingested: %2</translation>
    </message>
    <message>
        <source>Add Folder</source>
        <translation>Add Folder</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) queued from %1</source>
        <translation>
            <numerusform>%n file queued from %1</numerusform>
            <numerusform>%n files queued from %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Add Videos</source>
        <translation>Add Videos</translation>
    </message>
    <message>
        <source>Videos (*.mp4 *.m4v *.mov *.avi *.mkv *.webm *.mpg *.mpeg *.ts *.wmv *.ogv);;All files (*)</source>
        <translation>Videos (*.mp4 *.m4v *.mov *.avi *.mkv *.webm *.mpg *.mpeg *.ts *.wmv *.ogv);;All files (*)</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) queued</source>
        <translation>
            <numerusform>%n file queued</numerusform>
            <numerusform>%n files queued</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove %1 from the library? Its twin, annotations and search data are deleted; the video file stays.</source>
        <translation>Remove %1 from the library? Its twin, annotations and search data are deleted; the video file stays.</translation>
    </message>
    <message numerus="yes">
        <source>Remove %n videos from the library? Their twins, annotations and search data are deleted; the video files stay.</source>
        <translation>
            <numerusform>Remove %n video from the library? Its twin, annotations and search data are deleted; the video file stays.</numerusform>
            <numerusform>Remove %n videos from the library? Their twins, annotations and search data are deleted; the video files stay.</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove Videos</source>
        <translation>Remove Videos</translation>
    </message>
    <message>
        <source>Some videos could not be removed:
%1</source>
        <translation>Some videos could not be removed:
%1</translation>
    </message>
    <message numerus="yes">
        <source>%n video(s) removed</source>
        <translation>
            <numerusform>%n video removed</numerusform>
            <numerusform>%n videos removed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) queued again</source>
        <translation>
            <numerusform>%n file queued again</numerusform>
            <numerusform>%n files queued again</numerusform>
        </translation>
    </message>
    <message>
        <source>Ingest video files (Ctrl+I)</source>
        <translation>Ingest video files (Ctrl+I)</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Remove…</translation>
    </message>
    <message>
        <source>Remove the selected videos from the library (Del)</source>
        <translation>Remove the selected videos from the library (Del)</translation>
    </message>
    <message>
        <source>Cancel Ingest</source>
        <translation>Cancel Ingest</translation>
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
        <translation>Open a library and ask for what you are looking for.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Cancel all ingests and exports</source>
        <translation>Cancel all ingests and exports</translation>
    </message>
    <message>
        <source>%1: done</source>
        <translation>%1: done</translation>
    </message>
    <message>
        <source>%1: cancelled</source>
        <translation>%1: cancelled</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export failed</translation>
    </message>
    <message>
        <source>%1 failed:
%2</source>
        <translation>%1 failed:
%2</translation>
    </message>
    <message>
        <source>Searching for “%1”…</source>
        <translation>Searching for “%1”…</translation>
    </message>
    <message>
        <source>Query “%1” cancelled</source>
        <translation>Query “%1” cancelled</translation>
    </message>
    <message>
        <source>The query “%1” failed: %2</source>
        <translation>The query “%1” failed: %2</translation>
    </message>
    <message>
        <source>Query failed: %1</source>
        <translation>Query failed: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n result(s) for “%1”</source>
        <translation>
            <numerusform>%n result for “%1”</numerusform>
            <numerusform>%n results for “%1”</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> — library of %n video(s)</source>
        <translation>
            <numerusform> — library of %n video</numerusform>
            <numerusform> — library of %n videos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n rejected by the reasoner</source>
        <translation>
            <numerusform>, %n rejected by the reasoner</numerusform>
            <numerusform>, %n rejected by the reasoner</numerusform>
        </translation>
    </message>
    <message>
        <source>, %1 s</source>
        <translation>, %1 s</translation>
    </message>
    <message>
        <source>Open in Inspector</source>
        <translation>Open in Inspector</translation>
    </message>
    <message>
        <source>Export Masks…</source>
        <translation>Export Masks…</translation>
    </message>
    <message>
        <source>Export All Results…</source>
        <translation>Export All Results…</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>Cannot open %1: %2</translation>
    </message>
    <message>
        <source>Twin JSON — %1 #%2</source>
        <translation>Twin JSON — %1 #%2</translation>
    </message>
    <message>
        <source>Library</source>
        <translation>Library</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>Inspector</translation>
    </message>
    <message>
        <source>Annotator</source>
        <translation>Annotator</translation>
    </message>
    <message>
        <source>Click an object in the inspector to see its twin JSON.</source>
        <translation>Click an object in the inspector to see its twin JSON.</translation>
    </message>
    <message>
        <source>Twin JSON</source>
        <translation>Twin JSON</translation>
    </message>
    <message>
        <source>The reasoning steps for the selected result; click a step with a frame to go there</source>
        <translation>The reasoning steps for the selected result; click a step with a frame to go there</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>Reasoning</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;Open Library…</source>
        <translation>&amp;Open Library…</translation>
    </message>
    <message>
        <source>Open or Create Library</source>
        <translation>Open or Create Library</translation>
    </message>
    <message>
        <source>TwinSeek libraries (*.sqlite)</source>
        <translation>TwinSeek libraries (*.sqlite)</translation>
    </message>
    <message>
        <source>&amp;Export Masks of Inspected Video…</source>
        <translation>&amp;Export Masks of Inspected Video…</translation>
    </message>
    <message>
        <source>Export &amp;Results…</source>
        <translation>Export &amp;Results…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Edit</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Undo</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Redo</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>&amp;Find…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>&amp;Annotator Mode</source>
        <translation>&amp;Annotator Mode</translation>
    </message>
    <message>
        <source>Open &amp;Query Set…</source>
        <translation>Open &amp;Query Set…</translation>
    </message>
    <message>
        <source>Reset &amp;Layout</source>
        <translation>Reset &amp;Layout</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>&amp;Keyboard Shortcuts</translation>
    </message>
    <message>
        <source>&amp;About TwinSeek</source>
        <translation>&amp;About TwinSeek</translation>
    </message>
    <message>
        <source>About TwinSeek</source>
        <translation>About TwinSeek</translation>
    </message>
    <message>
        <source>&lt;h3&gt;TwinSeek %1&lt;/h3&gt;&lt;p&gt;Reasoning text-to-video retrieval over digital twins of your videos: vision specialists describe every video, a language model splits your query into explicit conditions, paired text encoders find candidates and a reasoner checks them against the twins, refining them just in time.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;TwinSeek %1&lt;/h3&gt;&lt;p&gt;Reasoning text-to-video retrieval over digital twins of your videos: vision specialists describe every video, a language model splits your query into explicit conditions, paired text encoders find candidates and a reasoner checks them against the twins, refining them just in time.&lt;/p&gt;</translation>
    </message>
    <message numerus="yes">
        <source>%n task(s) running</source>
        <translation>
            <numerusform>%n task running</numerusform>
            <numerusform>%n tasks running</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n queued</source>
        <translation>
            <numerusform>, %n queued</numerusform>
            <numerusform>, %n queued</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot open library</source>
        <translation>Cannot open library</translation>
    </message>
    <message>
        <source>%1 could not be opened:
%2</source>
        <translation>%1 could not be opened:
%2</translation>
    </message>
    <message>
        <source>TwinSeek — %1</source>
        <translation>TwinSeek — %1</translation>
    </message>
    <message numerus="yes">
        <source>Library %1 with %n video(s). Type a query above.</source>
        <translation>
            <numerusform>Library %1 with %n video. Type a query above.</numerusform>
            <numerusform>Library %1 with %n videos. Type a query above.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n new file(s) in watched folders queued</source>
        <translation>
            <numerusform>%n new file in watched folders queued</numerusform>
            <numerusform>%n new files in watched folders queued</numerusform>
        </translation>
    </message>
    <message>
        <source>Open or create a library first (File &gt; Open Library).</source>
        <translation>Open or create a library first (File &gt; Open Library).</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) queued</source>
        <translation>
            <numerusform>%n file queued</numerusform>
            <numerusform>%n files queued</numerusform>
        </translation>
    </message>
    <message>
        <source>Annotator mode: N/P step through queries, J/K through results, 2/1/0 grade, A/R accept/reject</source>
        <translation>Annotator mode: N/P step through queries, J/K through results, 2/1/0 grade, A/R accept/reject</translation>
    </message>
    <message>
        <source> (frame %1)</source>
        <translation> (frame %1)</translation>
    </message>
    <message>
        <source>%1…</source>
        <translation>%1…</translation>
    </message>
    <message>
        <source>Open a video in the inspector first.</source>
        <translation>Open a video in the inspector first.</translation>
    </message>
    <message>
        <source>No track is shown: nothing to export.</source>
        <translation>No track is shown: nothing to export.</translation>
    </message>
    <message>
        <source>Export %1 (%2)</source>
        <translation>Export %1 (%2)</translation>
    </message>
    <message>
        <source>Run a query first: there are no results to export.</source>
        <translation>Run a query first: there are no results to export.</translation>
    </message>
    <message>
        <source>Folder for the results and their masks</source>
        <translation>Folder for the results and their masks</translation>
    </message>
    <message>
        <source>Export results of “%1”</source>
        <translation>Export results of “%1”</translation>
    </message>
    <message>
        <source>Open Query Set</source>
        <translation>Open Query Set</translation>
    </message>
    <message>
        <source>Query sets (*.jsonl *.json);;All files (*)</source>
        <translation>Query sets (*.jsonl *.json);;All files (*)</translation>
    </message>
    <message>
        <source>Cannot open the query set</source>
        <translation>Cannot open the query set</translation>
    </message>
    <message>
        <source>%1:
%2</source>
        <translation>%1:
%2</translation>
    </message>
    <message>
        <source>Query set loaded with problems</source>
        <translation>Query set loaded with problems</translation>
    </message>
    <message>
        <source>Some lines were skipped or look wrong:
%1</source>
        <translation>Some lines were skipped or look wrong:
%1</translation>
    </message>
    <message>
        <source>Export Verified Query Set</source>
        <translation>Export Verified Query Set</translation>
    </message>
    <message>
        <source>Query sets (*.jsonl)</source>
        <translation>Query sets (*.jsonl)</translation>
    </message>
    <message>
        <source>Export query set %1</source>
        <translation>Export query set %1</translation>
    </message>
    <message>
        <source>Settings saved; they apply to the next query and the next ingested video.</source>
        <translation>Settings saved; they apply to the next query and the next ingested video.</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Everywhere&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+L&lt;/b&gt;, &lt;b&gt;Ctrl+F&lt;/b&gt;&lt;/td&gt;&lt;td&gt;type a query&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Enter&lt;/b&gt;&lt;/td&gt;&lt;td&gt;run the query&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Esc&lt;/b&gt;&lt;/td&gt;&lt;td&gt;cancel the running query&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+O&lt;/b&gt;&lt;/td&gt;&lt;td&gt;open or create a library&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+I&lt;/b&gt;&lt;/td&gt;&lt;td&gt;add videos&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Del&lt;/b&gt;&lt;/td&gt;&lt;td&gt;remove the selected videos (asks first)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+E&lt;/b&gt;&lt;/td&gt;&lt;td&gt;export the inspected video&apos;s masks&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+Shift+E&lt;/b&gt;&lt;/td&gt;&lt;td&gt;export all results&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+Shift+A&lt;/b&gt;&lt;/td&gt;&lt;td&gt;annotator mode&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h3&gt;Inspector&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Space&lt;/b&gt;&lt;/td&gt;&lt;td&gt;play / pause&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Left&lt;/b&gt;, &lt;b&gt;Right&lt;/b&gt;&lt;/td&gt;&lt;td&gt;previous / next frame&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Shift+Left&lt;/b&gt;, &lt;b&gt;Shift+Right&lt;/b&gt;&lt;/td&gt;&lt;td&gt;one second back / forward&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Home&lt;/b&gt;, &lt;b&gt;End&lt;/b&gt;&lt;/td&gt;&lt;td&gt;first / last frame&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h3&gt;Annotator mode&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;N&lt;/b&gt;, &lt;b&gt;P&lt;/b&gt;&lt;/td&gt;&lt;td&gt;next / previous query (runs it)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;J&lt;/b&gt;, &lt;b&gt;K&lt;/b&gt;&lt;/td&gt;&lt;td&gt;next / previous result&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;2&lt;/b&gt;, &lt;b&gt;1&lt;/b&gt;, &lt;b&gt;0&lt;/b&gt;&lt;/td&gt;&lt;td&gt;grade the result: correct, partial, irrelevant&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;A&lt;/b&gt;, &lt;b&gt;R&lt;/b&gt;&lt;/td&gt;&lt;td&gt;accept / reject the query&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;click an object&lt;/td&gt;&lt;td&gt;mark or unmark it as ground truth&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+Z&lt;/b&gt;, &lt;b&gt;Ctrl+Shift+Z&lt;/b&gt;&lt;/td&gt;&lt;td&gt;undo / redo&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;h3&gt;Everywhere&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+L&lt;/b&gt;, &lt;b&gt;Ctrl+F&lt;/b&gt;&lt;/td&gt;&lt;td&gt;type a query&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Enter&lt;/b&gt;&lt;/td&gt;&lt;td&gt;run the query&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Esc&lt;/b&gt;&lt;/td&gt;&lt;td&gt;cancel the running query&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+O&lt;/b&gt;&lt;/td&gt;&lt;td&gt;open or create a library&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+I&lt;/b&gt;&lt;/td&gt;&lt;td&gt;add videos&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Del&lt;/b&gt;&lt;/td&gt;&lt;td&gt;remove the selected videos (asks first)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+E&lt;/b&gt;&lt;/td&gt;&lt;td&gt;export the inspected video&apos;s masks&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+Shift+E&lt;/b&gt;&lt;/td&gt;&lt;td&gt;export all results&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+Shift+A&lt;/b&gt;&lt;/td&gt;&lt;td&gt;annotator mode&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h3&gt;Inspector&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Space&lt;/b&gt;&lt;/td&gt;&lt;td&gt;play / pause&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Left&lt;/b&gt;, &lt;b&gt;Right&lt;/b&gt;&lt;/td&gt;&lt;td&gt;previous / next frame&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Shift+Left&lt;/b&gt;, &lt;b&gt;Shift+Right&lt;/b&gt;&lt;/td&gt;&lt;td&gt;one second back / forward&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Home&lt;/b&gt;, &lt;b&gt;End&lt;/b&gt;&lt;/td&gt;&lt;td&gt;first / last frame&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h3&gt;Annotator mode&lt;/h3&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;N&lt;/b&gt;, &lt;b&gt;P&lt;/b&gt;&lt;/td&gt;&lt;td&gt;next / previous query (runs it)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;J&lt;/b&gt;, &lt;b&gt;K&lt;/b&gt;&lt;/td&gt;&lt;td&gt;next / previous result&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;2&lt;/b&gt;, &lt;b&gt;1&lt;/b&gt;, &lt;b&gt;0&lt;/b&gt;&lt;/td&gt;&lt;td&gt;grade the result: correct, partial, irrelevant&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;A&lt;/b&gt;, &lt;b&gt;R&lt;/b&gt;&lt;/td&gt;&lt;td&gt;accept / reject the query&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;click an object&lt;/td&gt;&lt;td&gt;mark or unmark it as ground truth&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+Z&lt;/b&gt;, &lt;b&gt;Ctrl+Shift+Z&lt;/b&gt;&lt;/td&gt;&lt;td&gt;undo / redo&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>Keyboard Shortcuts</translation>
    </message>
</context>
<context>
    <name>ts::QueryBar</name>
    <message>
        <source>Describe what you are looking for, e.g. “the animal that hibernates, walking on rocks”</source>
        <translation>Describe what you are looking for, e.g. “the animal that hibernates, walking on rocks”</translation>
    </message>
    <message>
        <source>Query (Ctrl+L); the arrow opens the history</source>
        <translation>Query (Ctrl+L); the arrow opens the history</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>Run the query (Enter)</source>
        <translation>Run the query (Enter)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Stop the running query (Esc)</source>
        <translation>Stop the running query (Esc)</translation>
    </message>
    <message>
        <source>Results:</source>
        <translation>Results:</translation>
    </message>
    <message>
        <source>Decompose the query (QD)</source>
        <translation>Decompose the query (QD)</translation>
    </message>
    <message>
        <source>Compositional alignment (CA)</source>
        <translation>Compositional alignment (CA)</translation>
    </message>
    <message>
        <source>Reasoning rerank (LR)</source>
        <translation>Reasoning rerank (LR)</translation>
    </message>
    <message>
        <source>Just-in-time refinement (JiT)</source>
        <translation>Just-in-time refinement (JiT)</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Options</translation>
    </message>
    <message>
        <source>object</source>
        <translation>object</translation>
    </message>
    <message>
        <source>attribute</source>
        <translation>attribute</translation>
    </message>
    <message>
        <source>spatial relation</source>
        <translation>spatial relation</translation>
    </message>
    <message>
        <source>temporal relation</source>
        <translation>temporal relation</translation>
    </message>
    <message>
        <source>count</source>
        <translation>count</translation>
    </message>
    <message>
        <source>scene</source>
        <translation>scene</translation>
    </message>
    <message>
        <source>action</source>
        <translation>action</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Searching…</translation>
    </message>
    <message>
        <source>%1 (not)</source>
        <translation>%1 (not)</translation>
    </message>
    <message>
        <source>Kind: %1</source>
        <translation>Kind: %1</translation>
    </message>
    <message>
        <source>Weight: %1</source>
        <translation>Weight: %1</translation>
    </message>
    <message>
        <source>Concepts: %1</source>
        <translation>Concepts: %1</translation>
    </message>
    <message>
        <source>decomposed by %1</source>
        <translation>decomposed by %1</translation>
    </message>
</context>
<context>
    <name>ts::QueryRunner</name>
    <message>
        <source>Open or create a library first.</source>
        <translation>Open or create a library first.</translation>
    </message>
    <message>
        <source>No retrieval engine is available in this build.</source>
        <translation>No retrieval engine is available in this build.</translation>
    </message>
</context>
<context>
    <name>ts::ResultDelegate</name>
    <message>
        <source>no preview</source>
        <translation>no preview</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>loading…</translation>
    </message>
    <message>
        <source>no grounded objects</source>
        <translation>no grounded objects</translation>
    </message>
</context>
<context>
    <name>ts::ResultsModel</name>
    <message>
        <source>%1 — rank %2, score %3</source>
        <translation>%1 — rank %2, score %3</translation>
    </message>
    <message>
        <source>Reasoning relevance %1 (%2)</source>
        <translation>Reasoning relevance %1 (%2)</translation>
    </message>
    <message>
        <source>Coarse score %1</source>
        <translation>Coarse score %1</translation>
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
        <translation>Object #%1 %2</translation>
    </message>
</context>
<context>
    <name>ts::SettingsDialog</name>
    <message>
        <source>Query decomposition (LLM)</source>
        <translation>Query decomposition (LLM)</translation>
    </message>
    <message>
        <source>Reasoning rerank (LLM)</source>
        <translation>Reasoning rerank (LLM)</translation>
    </message>
    <message>
        <source>Frame description (VLM)</source>
        <translation>Frame description (VLM)</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Each role can use its own server. A role without a server uses TwinSeek&apos;s built-in reasoning. API keys are read from an environment variable or from a file only you can read; they are never stored in the settings.</source>
        <translation>Each role can use its own server. A role without a server uses TwinSeek&apos;s built-in reasoning. API keys are read from an environment variable or from a file only you can read; they are never stored in the settings.</translation>
    </message>
    <message>
        <source>Language Models</source>
        <translation>Language Models</translation>
    </message>
    <message>
        <source>Best available</source>
        <translation>Best available</translation>
    </message>
    <message>
        <source>%1 (not installed)</source>
        <translation>%1 (not installed)</translation>
    </message>
    <message>
        <source>Manifests with problems:
%1</source>
        <translation>Manifests with problems:
%1</translation>
    </message>
    <message>
        <source>Vision Models</source>
        <translation>Vision Models</translation>
    </message>
    <message>
        <source> fps</source>
        <translation> fps</translation>
    </message>
    <message>
        <source>How many frames per second the detectors analyse (SA-V annotates at 6)</source>
        <translation>How many frames per second the detectors analyse (SA-V annotates at 6)</translation>
    </message>
    <message>
        <source>Videos ingested at once and threads per model</source>
        <translation>Videos ingested at once and threads per model</translation>
    </message>
    <message>
        <source>Sampling rate:</source>
        <translation>Sampling rate:</translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation>Threads:</translation>
    </message>
    <message>
        <source>Ingest</source>
        <translation>Ingest</translation>
    </message>
    <message>
        <source>OpenAI-compatible</source>
        <translation>OpenAI-compatible</translation>
    </message>
    <message>
        <source>Ollama</source>
        <translation>Ollama</translation>
    </message>
    <message>
        <source>e.g. OPENAI_API_KEY</source>
        <translation>e.g. OPENAI_API_KEY</translation>
    </message>
    <message>
        <source>a file readable only by you (chmod 600)</source>
        <translation>a file readable only by you (chmod 600)</translation>
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
        <translation>Test Connection</translation>
    </message>
    <message>
        <source>URL:</source>
        <translation>URL:</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Model:</translation>
    </message>
    <message>
        <source>Protocol:</source>
        <translation>Protocol:</translation>
    </message>
    <message>
        <source>API key variable:</source>
        <translation>API key variable:</translation>
    </message>
    <message>
        <source>or key file:</source>
        <translation>or key file:</translation>
    </message>
    <message>
        <source>Timeout:</source>
        <translation>Timeout:</translation>
    </message>
    <message>
        <source>Key File</source>
        <translation>Key File</translation>
    </message>
    <message>
        <source>Enable the role first.</source>
        <translation>Enable the role first.</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>Testing…</translation>
    </message>
    <message>
        <source>✓ The server answered.</source>
        <translation>✓ The server answered.</translation>
    </message>
    <message>
        <source>✗ %1</source>
        <translation>✗ %1</translation>
    </message>
    <message>
        <source>Object detector:</source>
        <translation>Object detector:</translation>
    </message>
    <message>
        <source>Classifier:</source>
        <translation>Classifier:</translation>
    </message>
    <message>
        <source>Mask model:</source>
        <translation>Mask model:</translation>
    </message>
    <message>
        <source>Salient objects:</source>
        <translation>Salient objects:</translation>
    </message>
    <message>
        <source>Depth:</source>
        <translation>Depth:</translation>
    </message>
</context>
<context>
    <name>ts::Timeline</name>
    <message>
        <source>No video</source>
        <translation>No video</translation>
    </message>
    <message>
        <source>time</source>
        <translation>time</translation>
    </message>
    <message>
        <source>reasoning</source>
        <translation>reasoning</translation>
    </message>
    <message>
        <source>query</source>
        <translation>query</translation>
    </message>
    <message>
        <source>%1 at frame %2
%3</source>
        <translation>%1 at frame %2
%3</translation>
    </message>
    <message>
        <source>#%1 %2: frames %3–%4</source>
        <translation>#%1 %2: frames %3–%4</translation>
    </message>
    <message>
        <source>frame %1</source>
        <translation>frame %1</translation>
    </message>
</context>
<context>
    <name>ts::TrackModel</name>
    <message>
        <source>Track #%1: %2 (%3)</source>
        <translation>Track #%1: %2 (%3)</translation>
    </message>
    <message>
        <source>Frames %1–%2, %3 observations</source>
        <translation>Frames %1–%2, %3 observations</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Satisfies the query</source>
        <translation>Satisfies the query</translation>
    </message>
    <message>
        <source>Ground truth (annotator)</source>
        <translation>Ground truth (annotator)</translation>
    </message>
</context>
</TS>
