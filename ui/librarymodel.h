// Item model of the library: the stored videos plus the files queued or being ingested that have no row yet.
// Rows are identified by file path (the owner of a file's ingest task); the key comes from the store.
#pragma once

#include "store/twinstore.h"

#include <QAbstractTableModel>
#include <QHash>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ts {

enum class IngestState { Queued, Ingesting, Done, Failed, Cancelled };

class LibraryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Key, Status, Duration, Size, Tracks, Path, ColumnCount };
    enum Role { KeyRole = Qt::UserRole + 1, PathRole, StateRole, ProgressRole, MessageRole };

    explicit LibraryModel(QObject *parent = nullptr);

    /// What the model shows of a library, read on a worker (read()) and shown on the UI thread (reload()).
    struct Snapshot {
        std::vector<VideoRow> videos;
        std::map<VideoId, std::vector<std::string>> copies;
    };
    /// Reads the library's videos and their copies (any thread; the UI reads on a worker).
    static Snapshot read(const TwinStore &store);
    /// Replaces the stored rows with the snapshot's videos, keeping live states (UI thread).
    void reload(Snapshot snapshot);
    /// read() and reload() on the calling thread (tests and tools without a window).
    void reload(const TwinStore &store) { reload(read(store)); }
    void clear();
    /// Live state of a file being ingested, shown over its stored row or as a row of its own.
    void setLiveState(const QString &path, IngestState state, double progress, const QString &message = {});
    void clearLiveState(const QString &path);
    int rowOfPath(const QString &path) const;
    int rowOfKey(const QString &key) const;
    QString keyAt(int row) const;
    QString pathAt(int row) const;
    /// The stored video of a row (nullptr for files that have not been stored yet).
    const VideoRow *videoAt(int row) const;
    IngestState stateAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString stateText(IngestState state);
    /// Other files with the video's content (shown in its tooltip).
    QStringList copiesAt(int row) const;

private:
    struct Live {
        IngestState state = IngestState::Queued;
        double progress = 0.0;
        QString message;
    };
    struct Entry {
        QString path;
        std::optional<VideoRow> video;
        QStringList copies; ///< other files with the same content (one video, several paths)
    };
    std::optional<Live> liveOf(const QString &path) const;
    void emitRowChanged(int row);

    std::vector<Entry> m_rows;
    QHash<QString, Live> m_live;
};

} // namespace ts
