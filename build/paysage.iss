; Paysage Windows installer (Inno Setup 6.3 or later).
;
; Packs the PyInstaller onedir (pyi-dist\Paysage, built from installer.spec) into
; pyi-dist\Paysage-<version>-setup.exe. From the repository root:
;
;   iscc /DAppVersion=0.1.0 /DAppVersionNumeric=0.1.0.0 build\paysage.iss
;
; (`python build/release_version.py --iscc-defines` prints those two options.) Without them
; the version is read from Paysage.exe's version resource. With /DSign and a sign tool named
; "paysagesign" (ISCC /S option, see .github/workflows/windows-release.yml) the uninstaller and
; the setup program are signed as they are built. build/README.md explains the whole release.

#define AppName "Paysage"
#define AppExe "Paysage.exe"
#define CliExe "paysage-cli.exe"
#define BundleDir AddBackslash(SourcePath) + "..\pyi-dist\Paysage"
; Must match app/platform_mutex.py (MUTEX_NAMES): the app holds both while it runs.
#define AppMutexNames "PaysageRunning,Global\PaysageRunning"

#if !FileExists(BundleDir + "\" + AppExe)
#error Build the bundle first: pyinstaller --workpath pyi-work --distpath pyi-dist installer.spec
#endif
#ifndef AppVersion
#define AppVersion GetStringFileInfo(BundleDir + "\" + AppExe, "ProductVersion")
#endif
#ifndef AppVersionNumeric
#define AppVersionNumeric GetVersionNumbersString(BundleDir + "\" + AppExe)
#endif

[Setup]
; AppId identifies Paysage to Windows for upgrades and uninstall: never change it.
AppId={{D64BE765-1A53-4346-B0BF-596F2787F676}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Paysage
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductVersion={#AppVersionNumeric}
VersionInfoDescription={#AppName} setup
; Program Files for everyone by default (admin); the dialog also offers "only for me",
; which installs under %LOCALAPPDATA%\Programs without elevation.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; Refuse to install over, or uninstall, a running Paysage (the app creates these mutexes).
AppMutex={#AppMutexNames}
SetupMutex=PaysageSetup,Global\PaysageSetup
SetupIconFile=..\resources\app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
LZMAUseSeparateProcess=yes
OutputDir=..\pyi-dist
OutputBaseFilename=Paysage-{#AppVersion}-setup
#ifdef Sign
SignTool=paysagesign
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "startup"; Description: "Start Paysage in the tray when I sign in, so scheduled syncs keep running"; GroupDescription: "Background sync:"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole library folder: a module left over from the previous
; version must not shadow the new one.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "PayTrace and Sage Pro in step"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; Start with Windows, minimised to the tray (for this computer's users when installed for
; everyone, for you alone when installed only for you).
Root: HKA; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "{#AppName}"; ValueData: """{app}\{#AppExe}"" gui --minimized"; Flags: uninsdeletevalue; Tasks: startup
; Unticked on an upgrade: take the earlier entry away.
Root: HKA; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: none; ValueName: "{#AppName}"; Flags: deletevalue; Tasks: not startup

[Run]
; postinstall entries run as the user who started Setup, not elevated.
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
const
  // platformdirs.user_data_dir("Paysage", "Paysage", roaming=False); see app/config.py.
  DataFolderConstant = '{localappdata}\Paysage\Paysage';
  DataParentConstant = '{localappdata}\Paysage';

var
  DeleteUserData: Boolean;

// True when the uninstaller was started with Flag, e.g. unins000.exe /VERYSILENT /DELETEDATA.
function CommandLineHas(const Flag: String): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), Flag) = 0 then
    begin
      Result := True;
      Exit;
    end;
end;

// The bookkeeper's database, settings, logs and backups stay unless they ask for them to go.
// A silent uninstall keeps them unless /DELETEDATA is given.
function AskDeleteUserData(const Folder: String): Boolean;
begin
  if CommandLineHas('/DELETEDATA') then
    Result := True
  else if UninstallSilent then
    Result := False
  else
    Result := MsgBox(
      'Also delete your Paysage data?' + #13#10#13#10 +
      Folder + #13#10#13#10 +
      'It holds the database (transactions, matches, audit trail), settings, logs and ' +
      'backups. Keep it (No) if you will install Paysage again or need the records; ' +
      'choose Yes only if you are sure. Passwords in Windows Credential Manager are ' +
      'not touched.',
      mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Folder: String;
begin
  Folder := ExpandConstant(DataFolderConstant);
  if CurUninstallStep = usUninstall then
    // Asked before the files go, so the answer does not wait behind the progress bar.
    DeleteUserData := DirExists(Folder) and AskDeleteUserData(Folder)
  else if (CurUninstallStep = usPostUninstall) and DeleteUserData then
  begin
    if not DelTree(Folder, True, True, True) then
      MsgBox('Some files in ' + Folder + ' could not be deleted. Close any program ' +
        'using them and delete the folder by hand.', mbError, MB_OK);
    // Removes the parent only when nothing else is in it.
    RemoveDir(ExpandConstant(DataParentConstant));
  end;
end;
