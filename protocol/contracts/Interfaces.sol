// SPDX-License-Identifier: LGPL-2.1-or-later
pragma solidity ^0.8.20;

// The calls the protocol contracts make on each other (a subset of each contract's ABI).

interface IController {
    function getContract(bytes32 _id) external view returns (address);

    function paused() external view returns (bool);

    function owner() external view returns (address);
}

interface IRoundsManager {
    function currentRound() external view returns (uint256);

    function currentRoundInitialized() external view returns (bool);

    function currentRoundLocked() external view returns (bool);

    function blockHashForRound(uint256 _round) external view returns (bytes32);
}

interface IBondingManager {
    function updateTranscoderWithFees(address _transcoder, uint256 _fees, uint256 _round) external;

    function setCurrentRoundTotalActiveStake() external;

    function isActiveTranscoder(address _transcoder) external view returns (bool);

    function getTranscoderPoolSize() external view returns (uint256);
}

interface IMinter {
    function createReward(uint256 _fracNum, uint256 _fracDenom) external returns (uint256);

    function trustedTransferTokens(address _to, uint256 _amount) external;

    function trustedBurnTokens(uint256 _amount) external;

    function trustedWithdrawETH(address payable _to, uint256 _amount) external;

    function depositETH() external payable returns (bool);

    function setCurrentRewardTokens() external;

    function currentMintableTokens() external view returns (uint256);
}

interface ILivepeerToken {
    function transfer(address _to, uint256 _amount) external returns (bool);

    function transferFrom(address _from, address _to, uint256 _amount) external returns (bool);

    function balanceOf(address _owner) external view returns (uint256);

    function mint(address _to, uint256 _amount) external;

    function burn(uint256 _amount) external;
}
