// The settings dialog: an LLM/VLM endpoint per role with a connection test, the vision models to use, the
// sampling rate and threads. Keys are never entered here: only where to find them.
#pragma once

#include "appsettings.h"

#include <QDialog>

#include <array>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QThreadPool;

namespace ts {

class ModelRegistry;

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    /// tester may be empty (the button is then disabled); tests run on pool.
    SettingsDialog(const AppSettings &settings, const ModelRegistry *models, ConnectionTester tester,
                   QThreadPool *pool, QWidget *parent);

    /// The settings as edited (valid once accept() succeeded).
    AppSettings settings() const;
    /// The endpoint the form describes for a role (nullopt when the role uses the built-in behaviour).
    Result<std::optional<LlmEndpoint>> endpointFor(LlmRole role) const;
    /// Fills a role's form (for tests and presets).
    void setEndpoint(LlmRole role, const std::optional<LlmEndpoint> &endpoint);
    /// Runs the connection test of a role; the result appears next to its button.
    void testConnection(LlmRole role);
    QString testResult(LlmRole role) const;

    void accept() override;

signals:
    void connectionTested(ts::LlmRole role, bool ok, const QString &message);

private:
    struct RoleForm {
        QGroupBox *box = nullptr;
        QLineEdit *url = nullptr;
        QLineEdit *model = nullptr;
        QComboBox *protocol = nullptr;
        QLineEdit *keyEnv = nullptr;
        QLineEdit *keyFile = nullptr;
        QSpinBox *timeout = nullptr;
        QPushButton *test = nullptr;
        QLabel *result = nullptr;
        LlmEndpoint base; ///< fields the form does not show are kept as they were
    };
    QWidget *buildRole(LlmRole role);
    static QString roleTitle(LlmRole role);
    static QString modelRoleText(const QString &role);

    AppSettings m_initial;
    const ModelRegistry *m_models = nullptr;
    ConnectionTester m_tester;
    QThreadPool *m_pool = nullptr;
    std::array<RoleForm, 3> m_roles;
    QMap<QString, QComboBox *> m_modelBoxes;
    QDoubleSpinBox *m_detectFps = nullptr;
    QSpinBox *m_threads = nullptr;
    QLabel *m_problem = nullptr;
};

} // namespace ts
