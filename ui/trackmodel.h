// The tracks of the inspected video, each with a visibility check box (the mask overlay toggles) and marks for
// the objects grounded by the query and those the annotator chose as ground truth.
#pragma once

#include "twin/twin.h"

#include <QAbstractListModel>
#include <QSet>

namespace ts {

class TrackModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role { TrackIdRole = Qt::UserRole + 1, GroundedRole, MarkedRole };

    explicit TrackModel(QObject *parent);

    void setTracks(const std::vector<Track> &tracks);
    void setGrounded(const QSet<TrackId> &grounded);
    void setMarked(const QSet<TrackId> &marked);
    QSet<TrackId> hiddenTracks() const { return m_hidden; }
    void setAllVisible(bool visible);
    /// Shows only the grounded tracks (all when none is grounded).
    void showOnlyGrounded();
    int rowOfTrack(TrackId id) const;
    const Track *trackAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

signals:
    void visibilityChanged(const QSet<ts::TrackId> &hidden);

private:
    std::vector<Track> m_tracks;
    QSet<TrackId> m_hidden;
    QSet<TrackId> m_grounded;
    QSet<TrackId> m_marked;
};

} // namespace ts
