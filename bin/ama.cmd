@echo off
rem Launches the ama command on Windows, as bin/ama does elsewhere, from the script's own folder:
rem   - an unpacked distribution ama-cli-<version>\: bin\ama.cmd, lib\ (the CLI jar and its runtime
rem     jars), plugins\;
rem   - a built checkout: ama-cli\target\ama-cli-<version>.jar and ama-cli\target\lib\.
rem Storage backends of other parties are found on the class path: jars in the distribution's
rem plugins\, jars in %USERPROFILE%\.ama\plugins\, and AMA_CLASSPATH (jars or folders separated by
rem ';', as in java -cp on Windows). AMA_JAVA_OPTS adds JVM options; JAVA_HOME picks the JVM (else
rem java on the PATH); Java 17 or later.
rem Labels and goto rather than parenthesized blocks: a path such as "C:\Program Files (x86)" would
rem end a block early.
setlocal
set "AMA_ROOT=%~dp0.."
if exist "%AMA_ROOT%\lib\" goto distribution
set "AMA_JAR="
for %%f in ("%AMA_ROOT%\ama-cli\target\ama-cli-*.jar") do call :pick "%%~f"
if not defined AMA_JAR goto notbuilt
set "AMA_CP=%AMA_JAR%;%AMA_ROOT%\ama-cli\target\lib\*"
goto plugins

:distribution
if not exist "%AMA_ROOT%\lib\ama-cli-*.jar" goto nojar
set "AMA_CP=%AMA_ROOT%\lib\*;%AMA_ROOT%\plugins\*"

:plugins
if defined USERPROFILE set "AMA_CP=%AMA_CP%;%USERPROFILE%\.ama\plugins\*"
if defined AMA_CLASSPATH set "AMA_CP=%AMA_CP%;%AMA_CLASSPATH%"

if defined JAVA_HOME goto javahome
set "AMA_JAVA=java"
where java >nul 2>nul || goto nojava
goto run

:javahome
set "AMA_JAVA=%JAVA_HOME%\bin\java.exe"
if not exist "%AMA_JAVA%" goto badjavahome

:run
rem The serial collector and the JDK's class data archive start a short command fastest (bin/ama).
"%AMA_JAVA%" -XX:+UseSerialGC -Xshare:auto %AMA_JAVA_OPTS% -cp "%AMA_CP%" dev.ama.cli.AmaCli %*
exit /b %ERRORLEVEL%

:pick
rem The first ama-cli jar that is the CLI itself, not its sources, javadoc or tests.
if defined AMA_JAR exit /b 0
set "AMA_NAME=%~n1"
if not "%AMA_NAME:-sources=%"=="%AMA_NAME%" exit /b 0
if not "%AMA_NAME:-javadoc=%"=="%AMA_NAME%" exit /b 0
if not "%AMA_NAME:-tests=%"=="%AMA_NAME%" exit /b 0
set "AMA_JAR=%~1"
exit /b 0

:notbuilt
echo ama: not built yet; run: mvn -B -DskipTests package 1>&2
exit /b 1

:nojar
echo ama: %AMA_ROOT%\lib holds no ama-cli jar; unpack the ama-cli archive again 1>&2
exit /b 1

:nojava
echo ama: no java found; install a JDK 17 or later and put its bin\ on the PATH, or set JAVA_HOME 1>&2
exit /b 1

:badjavahome
echo ama: JAVA_HOME is %JAVA_HOME%, which has no bin\java.exe; point it at a JDK 17 or later, or unset it 1>&2
exit /b 1
