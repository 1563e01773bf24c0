// Item model of the library's videos for views (key, status, duration, size, tracks).
#pragma once

#include "store/twinstore.h"

#include <QAbstractTableModel>
#include <QHash>

namespace ts {

class LibraryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Key, Status, Duration, Size, Tracks, Path, ColumnCount };
    enum Role { KeyRole = Qt::UserRole + 1, StatusRole, ProgressRole };

    explicit LibraryModel(QObject *parent = nullptr);

    /// Replaces the rows with the store's current videos (call on the UI thread).
    void reload(const TwinStore &store);
    /// Live state of a video being ingested (queued / ingesting with progress / failed) shown over the stored one.
    void setLiveState(const QString &key, const QString &state, double progress);
    void clearLiveState(const QString &key);
    int rowOfKey(const QString &key) const;
    const VideoRow *rowAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Live {
        QString state;
        double progress = 0.0;
    };
    std::vector<VideoRow> m_rows;
    QHash<QString, Live> m_live;
};

} // namespace ts
