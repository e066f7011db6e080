; Inno Setup 6 script: a per-user or per-machine installer around the PyInstaller one-folder
; bundle. Build the bundle first (python packaging\build.py), then:
;   iscc /DAppVersion=0.1.0 packaging\windows\crisp-console.iss
; Output: dist\crisp-console-<version>-windows-x64-setup.exe

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "Crisp Console"
#define AppExe "crisp-console.exe"

[Setup]
AppId={{6F0E5B7C-3C1B-4C59-9E3B-2C8F7A4D9E11}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=The crisp-console developers
DefaultDirName={autopf}\Crisp Console
DefaultGroupName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=crisp-console-{#AppVersion}-windows-x64-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
LicenseFile=..\..\LICENSE

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\crisp-console\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
