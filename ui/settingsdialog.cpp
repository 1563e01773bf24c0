#include "settingsdialog.h"

#include "vision/modelregistry.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QFuture>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTabWidget>
#include <QThread>
#include <QThreadPool>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace ts {

QString SettingsDialog::roleTitle(LlmRole role)
{
    switch (role) {
    case LlmRole::Decompose: return tr("Query decomposition (LLM)");
    case LlmRole::Reason: return tr("Reasoning rerank (LLM)");
    case LlmRole::Describe: return tr("Frame description (VLM)");
    }
    return {};
}

QString SettingsDialog::modelRoleText(const QString &role)
{
    if (role == QLatin1String("detector"))
        return tr("Object detector:");
    if (role == QLatin1String("classifier"))
        return tr("Classifier:");
    if (role == QLatin1String("segmenter"))
        return tr("Mask model:");
    if (role == QLatin1String("salient"))
        return tr("Salient objects:");
    if (role == QLatin1String("depth"))
        return tr("Depth:");
    return role + QLatin1Char(':');
}

SettingsDialog::SettingsDialog(const AppSettings &settings, const ModelRegistry *models, ConnectionTester tester,
                               QThreadPool *pool, QWidget *parent)
    : QDialog(parent), m_initial(settings), m_models(models), m_tester(std::move(tester)), m_pool(pool)
{
    setWindowTitle(tr("Settings"));
    auto *tabs = new QTabWidget(this);

    // Language models.
    auto *llmPage = new QWidget(tabs);
    auto *llmLayout = new QVBoxLayout(llmPage);
    auto *note = new QLabel(tr("Each role can use its own server. A role without a server uses TwinSeek's built-in "
                               "reasoning. API keys are read from an environment variable or from a file only you "
                               "can read; they are never stored in the settings."),
                            llmPage);
    note->setWordWrap(true);
    llmLayout->addWidget(note);
    for (LlmRole role : kLlmRoles)
        llmLayout->addWidget(buildRole(role));
    llmLayout->addStretch(1);
    auto *llmScroll = new QScrollArea(tabs);
    llmScroll->setWidget(llmPage);
    llmScroll->setWidgetResizable(true);
    tabs->addTab(llmScroll, tr("Language Models"));

    // Vision models.
    auto *visionPage = new QWidget(tabs);
    auto *visionForm = new QFormLayout(visionPage);
    for (const QString &role : pinnableModelRoles()) {
        auto *box = new QComboBox(visionPage);
        box->addItem(tr("Best available"), QString());
        if (m_models)
            for (const ModelManifest *m : m_models->forRole(role.toStdString())) {
                const ModelAvailability a = m_models->availability(*m);
                const QString id = QString::fromStdString(m->id);
                box->addItem(a.available ? id : tr("%1 (not installed)").arg(id), id);
                box->setItemData(box->count() - 1,
                                 QString::fromStdString(m->description + (a.message.empty() ? "" : "\n" + a.message)),
                                 Qt::ToolTipRole);
            }
        const int current = box->findData(settings.activeModels.value(role));
        box->setCurrentIndex(current >= 0 ? current : 0);
        m_modelBoxes.insert(role, box);
        visionForm->addRow(modelRoleText(role), box);
    }
    if (m_models && !m_models->problems().empty()) {
        auto *problems = new QLabel(tr("Manifests with problems:\n%1")
                                        .arg(QString::fromStdString(m_models->problems().front())),
                                    visionPage);
        problems->setWordWrap(true);
        visionForm->addRow(problems);
    }
    tabs->addTab(visionPage, tr("Vision Models"));

    // Ingest.
    auto *ingestPage = new QWidget(tabs);
    auto *ingestForm = new QFormLayout(ingestPage);
    m_detectFps = new QDoubleSpinBox(ingestPage);
    m_detectFps->setRange(0.5, 60.0);
    m_detectFps->setDecimals(1);
    m_detectFps->setSingleStep(0.5);
    m_detectFps->setSuffix(tr(" fps"));
    m_detectFps->setValue(settings.detectFps);
    m_detectFps->setToolTip(tr("How many frames per second the detectors analyse (SA-V annotates at 6)"));
    m_threads = new QSpinBox(ingestPage);
    m_threads->setRange(1, std::max(1, QThread::idealThreadCount()));
    m_threads->setValue(std::min(settings.threads, m_threads->maximum()));
    m_threads->setToolTip(tr("Videos ingested at once and threads per model"));
    ingestForm->addRow(tr("Sampling rate:"), m_detectFps);
    ingestForm->addRow(tr("Threads:"), m_threads);
    tabs->addTab(ingestPage, tr("Ingest"));

    m_problem = new QLabel(this);
    m_problem->setStyleSheet(QStringLiteral("color: #c03030"));
    m_problem->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(tabs, 1);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    resize(640, 620);
}

QWidget *SettingsDialog::buildRole(LlmRole role)
{
    RoleForm &f = m_roles[static_cast<size_t>(role)];
    f.box = new QGroupBox(roleTitle(role), this);
    f.box->setCheckable(true);
    f.url = new QLineEdit(f.box);
    f.url->setPlaceholderText(QStringLiteral("http://127.0.0.1:11434"));
    f.model = new QLineEdit(f.box);
    f.protocol = new QComboBox(f.box);
    f.protocol->addItem(tr("OpenAI-compatible"), static_cast<int>(LlmProtocol::OpenAiCompatible));
    f.protocol->addItem(tr("Ollama"), static_cast<int>(LlmProtocol::Ollama));
    f.keyEnv = new QLineEdit(f.box);
    f.keyEnv->setPlaceholderText(tr("e.g. OPENAI_API_KEY"));
    f.keyFile = new QLineEdit(f.box);
    f.keyFile->setPlaceholderText(tr("a file readable only by you (chmod 600)"));
    auto *browse = new QToolButton(f.box);
    browse->setText(tr("…"));
    auto *keyFileRow = new QHBoxLayout;
    keyFileRow->addWidget(f.keyFile, 1);
    keyFileRow->addWidget(browse);
    f.timeout = new QSpinBox(f.box);
    f.timeout->setRange(1, 3600);
    f.timeout->setSuffix(tr(" s"));
    f.test = new QPushButton(tr("Test Connection"), f.box);
    f.test->setEnabled(static_cast<bool>(m_tester));
    f.result = new QLabel(f.box);
    f.result->setWordWrap(true);
    auto *testRow = new QHBoxLayout;
    testRow->addWidget(f.test);
    testRow->addWidget(f.result, 1);

    auto *form = new QFormLayout(f.box);
    form->addRow(tr("URL:"), f.url);
    form->addRow(tr("Model:"), f.model);
    form->addRow(tr("Protocol:"), f.protocol);
    form->addRow(tr("API key variable:"), f.keyEnv);
    form->addRow(tr("or key file:"), keyFileRow);
    form->addRow(tr("Timeout:"), f.timeout);
    form->addRow(testRow);

    setEndpoint(role, m_initial.llm.forRole(role));
    connect(browse, &QToolButton::clicked, this, [this, &f] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Key File"), f.keyFile->text());
        if (!path.isEmpty())
            f.keyFile->setText(path);
    });
    connect(f.test, &QPushButton::clicked, this, [this, role] { testConnection(role); });
    return f.box;
}

void SettingsDialog::setEndpoint(LlmRole role, const std::optional<LlmEndpoint> &endpoint)
{
    RoleForm &f = m_roles[static_cast<size_t>(role)];
    const LlmEndpoint e = endpoint.value_or(LlmEndpoint{});
    f.base = e;
    f.box->setChecked(endpoint.has_value());
    f.url->setText(QString::fromStdString(e.baseUrl));
    f.model->setText(QString::fromStdString(e.model));
    f.protocol->setCurrentIndex(f.protocol->findData(static_cast<int>(e.protocol)));
    f.keyEnv->setText(QString::fromStdString(e.apiKeyEnv));
    f.keyFile->setText(QString::fromStdString(e.apiKeyFile));
    f.timeout->setValue(std::max(1, e.timeoutMs / 1000));
    f.result->clear();
}

Result<std::optional<LlmEndpoint>> SettingsDialog::endpointFor(LlmRole role) const
{
    const RoleForm &f = m_roles[static_cast<size_t>(role)];
    if (!f.box->isChecked())
        return std::optional<LlmEndpoint>();
    LlmEndpoint e = f.base;
    e.baseUrl = f.url->text().trimmed().toStdString();
    e.model = f.model->text().trimmed().toStdString();
    e.protocol = static_cast<LlmProtocol>(f.protocol->currentData().toInt());
    e.apiKeyEnv = f.keyEnv->text().trimmed().toStdString();
    e.apiKeyFile = f.keyFile->text().trimmed().toStdString();
    e.timeoutMs = f.timeout->value() * 1000;
    const Status s = validateEndpoint(e);
    if (!s)
        return Result<std::optional<LlmEndpoint>>::error(roleTitle(role).toStdString() + ": " + s.message());
    return std::optional<LlmEndpoint>(e);
}

void SettingsDialog::testConnection(LlmRole role)
{
    RoleForm &f = m_roles[static_cast<size_t>(role)];
    auto endpoint = endpointFor(role);
    if (!endpoint || !endpoint->has_value()) {
        const QString message = !endpoint ? QString::fromStdString(endpoint.message()) : tr("Enable the role first.");
        f.result->setText(message);
        emit connectionTested(role, false, message);
        return;
    }
    if (!m_tester || !m_pool)
        return;
    f.test->setEnabled(false);
    f.result->setText(tr("Testing…"));
    const LlmEndpoint e = **endpoint;
    const ConnectionTester tester = m_tester;
    QFuture<Status> future = QtConcurrent::run(m_pool, [tester, e] { return tester(e); });
    future.then(this, [this, role](const Status &s) {
        RoleForm &form = m_roles[static_cast<size_t>(role)];
        form.test->setEnabled(true);
        const QString message = s ? tr("✓ The server answered.") : tr("✗ %1").arg(QString::fromStdString(s.message()));
        form.result->setText(message);
        emit connectionTested(role, s.isOk(), message);
    });
}

QString SettingsDialog::testResult(LlmRole role) const { return m_roles[static_cast<size_t>(role)].result->text(); }

AppSettings SettingsDialog::settings() const
{
    AppSettings s = m_initial;
    for (LlmRole role : kLlmRoles) {
        auto e = endpointFor(role);
        if (e)
            s.llm.forRole(role) = *e;
    }
    s.activeModels.clear();
    for (auto it = m_modelBoxes.cbegin(); it != m_modelBoxes.cend(); ++it) {
        const QString id = it.value()->currentData().toString();
        if (!id.isEmpty())
            s.activeModels.insert(it.key(), id);
    }
    s.detectFps = m_detectFps->value();
    s.threads = m_threads->value();
    return s;
}

void SettingsDialog::accept()
{
    for (LlmRole role : kLlmRoles) {
        auto e = endpointFor(role);
        if (!e) {
            m_problem->setText(QString::fromStdString(e.message()));
            return;
        }
    }
    QDialog::accept();
}

} // namespace ts
